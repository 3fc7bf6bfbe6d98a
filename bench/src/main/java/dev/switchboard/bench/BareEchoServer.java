package dev.switchboard.bench;

import io.vertx.core.Vertx;

/** The floor for the echo benchmark: a bare Vert.x WebSocket server that sends every text frame back. */
public final class BareEchoServer {

  private BareEchoServer() {
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    vertx.createHttpServer()
        .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
        .listen(0, "127.0.0.1")
        .onSuccess(s -> System.out.println("bare echo ready: ws://127.0.0.1:" + s.actualPort() + "/"))
        .onFailure(e -> {
          System.err.println("bare echo failed: " + e);
          System.exit(1);
        });
  }
}
