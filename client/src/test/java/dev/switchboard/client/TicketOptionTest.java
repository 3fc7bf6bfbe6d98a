package dev.switchboard.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ticket option against an in-process stand-in for a coordinator and a backend: the supplier is
 * asked before every attempt and its ticket arrives URL-encoded; refusals (401, a failed supplier) are
 * retried with a fresh ticket; a forbidden join or publish fails with a {@link ForbiddenException}.
 */
class TicketOptionTest {

  private final Vertx vertx = Vertx.vertx();
  /** The ticket of every upgrade the backend saw, decoded; null for none. */
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final List<ServerWebSocket> sockets = new CopyOnWriteArrayList<>();
  private HttpServer server;

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A coordinator listing one backend, both on one port; upgrades with a ticket starting "bad" get 401. */
  private String start() throws Exception {
    server = vertx.createHttpServer()
        .webSocketHandshakeHandler(h -> {
          String query = h.query() == null ? "" : h.query();
          String ticket = null;
          for (String pair : query.split("&")) { // a reconnect also says why: ?moved=closed&ticket=…
            if (pair.startsWith("ticket=")) {
              ticket = URLDecoder.decode(pair.substring(7), StandardCharsets.UTF_8);
            }
          }
          seen.add(ticket);
          if (ticket != null && ticket.startsWith("bad")) {
            h.reject(401);
          } else {
            h.accept();
          }
        })
        .webSocketHandler(ws -> {
          sockets.add(ws);
          ws.textMessageHandler(text -> {
            JsonObject m = new JsonObject(text);
            if ("join".equals(m.getString("type"))) {
              ws.writeTextMessage(new JsonObject().put("type", "error").put("code", "forbidden")
                  .put("message", "not allowed to join room '" + m.getString("room") + "'").put("room", m.getString("room")).encode());
            } else if ("publish".equals(m.getString("type"))) {
              ws.writeTextMessage(new JsonObject().put("type", "error").put("code", "forbidden").put("message", "no")
                  .put("room", m.getString("room")).put("id", m.getValue("id")).encode());
            }
          });
          ws.writeTextMessage("{\"type\":\"welcome\",\"session\":\"s1\",\"backend\":\"b1\",\"heartbeatMs\":5000}");
        })
        .requestHandler(req -> {
          String record = new JsonObject().put("id", "b1").put("url", "ws://127.0.0.1:" + server.actualPort() + "/ws")
              .put("node", "n").put("state", "UP").put("connections", 0).put("capacity", 10).put("startedAt", 1).encode();
          req.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
              .write("event: snapshot\nid: e-1\ndata: {\"backends\":[" + record + "]}\n\n");
        });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return "http://127.0.0.1:" + server.actualPort();
  }

  private SwitchboardClientOptions options(String coordinator) {
    return new SwitchboardClientOptions().setCoordinators(List.of(coordinator)).setBaseMs(10).setMaxMs(50)
        .setIntervalMs(60_000).setTimeoutMs(5_000);
  }

  @Test
  void everyAttemptAsksForAFreshTicketWhichArrivesUrlEncoded() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    // the first ticket is refused (401), the second supplier call fails, the third opens; then a reconnect
    SwitchboardClient client = new SwitchboardClient(vertx, options(start()).setTicket(() -> {
      int n = asked.incrementAndGet();
      if (n == 2) {
        return Future.failedFuture("the issuer is down");
      }
      return Future.succeededFuture((n == 1 ? "bad" : "good") + " t+" + n + "/é&x=1");
    }));
    try {
      client.start().await(10, TimeUnit.SECONDS);
      assertEquals(List.of("bad t+1/é&x=1", "good t+3/é&x=1"), seen);
      sockets.get(sockets.size() - 1).close();
      awaitTrue(() -> seen.size() == 3 && client.backend() != null);
      assertEquals("good t+4/é&x=1", seen.get(2));
      assertEquals(4, asked.get());
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFixedTicketIsSentOnEveryAttemptAndNoneWithoutTheOption() throws Exception {
    String coordinator = start();
    SwitchboardClient fixed = new SwitchboardClient(vertx, options(coordinator).setTicket("a.b.c"));
    SwitchboardClient none = new SwitchboardClient(vertx, options(coordinator));
    try {
      fixed.start().await(10, TimeUnit.SECONDS);
      none.start().await(10, TimeUnit.SECONDS);
      assertTrue(seen.contains("a.b.c") && seen.contains(null), seen.toString());
    } finally {
      fixed.close().await(10, TimeUnit.SECONDS);
      none.close().await(10, TimeUnit.SECONDS);
    }
    assertEquals("ws://h:1/ws?ticket=a%2Bb+%2F", SwitchboardClient.withTicket("ws://h:1/ws", "a+b /"));
    assertEquals("ws://h:1/ws?v=1&ticket=t", SwitchboardClient.withTicket("ws://h:1/ws?v=1", "t"));
    assertEquals("ws://h:1/ws", SwitchboardClient.withTicket("ws://h:1/ws", null));
  }

  @Test
  void aForbiddenJoinOrPublishFailsWithTheRoomAndId() throws Exception {
    SwitchboardClient client = new SwitchboardClient(vertx, options(start()).setTicket("t"));
    try {
      client.start().await(10, TimeUnit.SECONDS);
      ExecutionException join = assertThrows(ExecutionException.class,
          () -> client.join("admin").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
      ForbiddenException refused = (ForbiddenException) join.getCause();
      assertEquals("admin", refused.room());
      assertNull(refused.id());
      ExecutionException publish = assertThrows(ExecutionException.class,
          () -> client.publish("lobby", "hi").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
      assertEquals("lobby", ((ForbiddenException) publish.getCause()).room());
      assertTrue(((ForbiddenException) publish.getCause()).id() instanceof String);
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
