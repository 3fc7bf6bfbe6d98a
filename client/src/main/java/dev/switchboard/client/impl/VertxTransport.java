package dev.switchboard.client.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The production {@link Transport}: a Vert.x {@link WebSocketClient}. */
public final class VertxTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(VertxTransport.class);

  private final WebSocketClient client;

  /** @param options the WebSocket client's options (connection cap, TLS trust) */
  public VertxTransport(Vertx vertx, WebSocketClientOptions options) {
    this.client = vertx.createWebSocketClient(options);
  }

  @Override
  public Socket socket(Events events) {
    ClientWebSocket ws = client.webSocket();
    ws.textMessageHandler(events::onText);
    ws.closeHandler(v -> events.onClose(ws.closeStatusCode()));
    ws.drainHandler(v -> events.onDrain());
    return new VertxSocket(ws);
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  private record VertxSocket(ClientWebSocket ws) implements Socket {

    @Override
    public Future<Void> connect(String url, long timeoutMs) {
      return ws.connect(new WebSocketConnectOptions().setAbsoluteURI(url).setConnectTimeout(timeoutMs)).mapEmpty();
    }

    @Override
    public Future<Void> write(String text) {
      return ws.writeTextMessage(text);
    }

    @Override
    public boolean writeQueueFull() {
      return ws.writeQueueFull();
    }

    @Override
    public void close(short code, String reason) {
      try {
        if (!ws.isClosed()) {
          ws.close(code, reason.length() > 100 ? reason.substring(0, 100) : reason)
              .onFailure(e -> log.debug("closing a socket: {}", e.toString()));
        }
      } catch (RuntimeException e) { // not connected yet: the pool closes it once connected
        log.debug("closing a socket before its handshake: {}", e.toString());
      }
    }
  }
}
