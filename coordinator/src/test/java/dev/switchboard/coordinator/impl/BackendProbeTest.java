package dev.switchboard.coordinator.impl;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The coordinator's own probe against local servers that accept, refuse, vanish or stall. */
class BackendProbeTest {

  private final Vertx vertx = Vertx.vertx();
  private final BackendProbe probe = new BackendProbe(vertx, 500);

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static BackendRecord at(int port) {
    return new BackendRecord("b", "chat", "ws://127.0.0.1:" + port + "/ws", "n", "local", BackendState.UP, 0, 10, 100, 1L);
  }

  private boolean reachable(int port) throws Exception {
    return probe.reach(at(port)).transform(ar -> Future.succeededFuture(ar.succeeded())).await(5, TimeUnit.SECONDS);
  }

  private int serving(int status) throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      if (status == 101) {
        req.toWebSocket();
      } else {
        req.response().setStatusCode(status).end("{\"error\":\"no\"}");
      }
    });
    return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  @Test
  void aBackendThatAcceptsTheUpgradeIsReachable() throws Exception {
    assertTrue(reachable(serving(101)));
  }

  @Test
  void aFullOrDrainingBackendAndOneThatWantsATicketAreReachable() throws Exception {
    assertTrue(reachable(serving(503)));
    assertTrue(reachable(serving(401)));
    assertTrue(reachable(serving(403)));
  }

  @Test
  void nothingAtThePathOrAServerErrorIsUnreachable() throws Exception {
    assertFalse(reachable(serving(404)));
    assertFalse(reachable(serving(502)));
  }

  @Test
  void aClosedPortIsUnreachable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    assertFalse(reachable(port));
  }

  @Test
  void aServerThatTakesTheConnectionButNeverAnswersIsUnreachableAtTheDeadline() throws Exception {
    NetServer silent = vertx.createNetServer().connectHandler(socket -> { });
    int port = silent.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    long start = System.nanoTime();
    assertFalse(reachable(port));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(ms >= 450 && ms < 3_000, "answered after " + ms + " ms");
  }
}
