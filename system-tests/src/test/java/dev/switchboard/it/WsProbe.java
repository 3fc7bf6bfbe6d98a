package dev.switchboard.it;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket client for tests: received text frames (as JSON) land in a queue; close is recorded. */
final class WsProbe implements AutoCloseable {

  private final WebSocketClient client;
  private final WebSocket socket;
  private final BlockingQueue<JsonObject> frames;
  private volatile Short closeStatus;

  private WsProbe(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    this.frames = new LinkedBlockingQueue<>();
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.closeHandler(v -> closeStatus = socket.closeStatusCode());
  }

  /** Connects; handlers are installed before the first frame can arrive, so nothing is missed. */
  static WsProbe connect(Vertx vertx, String url) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    return client.connect(new WebSocketConnectOptions().setAbsoluteURI(url))
        .map(ws -> new WsProbe(client, ws))
        .await(10, TimeUnit.SECONDS);
  }

  void send(String text) throws Exception {
    socket.writeTextMessage(text).await(5, TimeUnit.SECONDS);
  }

  void send(JsonObject json) throws Exception {
    send(json.encode());
  }

  JsonObject next(Duration timeout) throws InterruptedException {
    JsonObject frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (frame == null) {
      throw new AssertionError("no frame within " + timeout);
    }
    return frame;
  }

  boolean isOpen() {
    return !socket.isClosed();
  }

  Short closeStatus() {
    return closeStatus;
  }

  @Override
  public void close() {
    client.close();
  }
}
