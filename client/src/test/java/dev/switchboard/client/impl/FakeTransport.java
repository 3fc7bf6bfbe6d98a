package dev.switchboard.client.impl;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** A {@link Transport} whose sockets the test drives: it completes handshakes and plays the backend. */
public final class FakeTransport implements Transport {

  /** One fake WebSocket. */
  public static final class FakeSocket implements Socket {
    private final Events events;
    private final Promise<Void> connected = Promise.promise();
    public String url;
    final List<JsonObject> sent = new ArrayList<>();
    boolean writeQueueFull;
    Short closedWith;

    FakeSocket(Events events) {
      this.events = events;
    }

    @Override
    public Future<Void> connect(String url, long timeoutMs) {
      this.url = url;
      return connected.future();
    }

    @Override
    public Future<Void> write(String text) {
      sent.add(new JsonObject(text));
      return Future.succeededFuture();
    }

    @Override
    public boolean writeQueueFull() {
      return writeQueueFull;
    }

    @Override
    public void close(short code, String reason) {
      if (closedWith == null) {
        closedWith = code;
      }
    }

    /** The handshake succeeds and the backend welcomes. */
    public FakeSocket accept(String backendId) {
      connected.complete();
      return receive(new JsonObject().put("type", "welcome").put("backend", backendId).put("session", "s"));
    }

    /** The handshake succeeds, the welcome names a heartbeat. */
    FakeSocket accept(String backendId, long heartbeatMs) {
      connected.complete();
      return receive(new JsonObject().put("type", "welcome").put("backend", backendId).put("session", "s")
          .put("heartbeatMs", heartbeatMs));
    }

    /** The backend answers the upgrade with {@code status}. */
    void refuse(int status) {
      connected.fail(new UpgradeRejectedException("refused", status, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer()));
    }

    /** Nothing answers at that address. */
    void unreachable() {
      connected.fail(new java.net.ConnectException("connection refused"));
    }

    FakeSocket receive(JsonObject frame) {
      events.onText(frame.encode());
      return this;
    }

    /** The peer closes (or the network drops) the socket. */
    public void closeByPeer(short code) {
      events.onClose(code);
    }

    /** Frames of {@code type} sent so far. */
    List<JsonObject> sent(String type) {
      return sent.stream().filter(f -> type.equals(f.getString("type"))).toList();
    }

    String backendPath() {
      return url;
    }
  }

  final List<FakeSocket> sockets = new ArrayList<>();

  @Override
  public Socket socket(Events events) {
    FakeSocket s = new FakeSocket(events);
    sockets.add(s);
    return s;
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  FakeSocket last() {
    return sockets.get(sockets.size() - 1);
  }

  /** The sockets dialed (their url set) to the backend at {@code url} (query ignored). */
  public List<FakeSocket> to(String backendUrl) {
    return sockets.stream().filter(s -> s.url != null && s.url.startsWith(backendUrl)).toList();
  }
}
