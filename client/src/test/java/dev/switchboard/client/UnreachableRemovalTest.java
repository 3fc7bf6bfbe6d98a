package dev.switchboard.client;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A backend removed from the list as {@code unreachable} (others could not reach it) keeps this
 * client's connection to it while that connection answers its heartbeats; any other removal, or a
 * missed pong, moves the client. A fake coordinator streams the list; fake backends answer pings.
 */
class UnreachableRemovalTest {

  private final Vertx vertx = Vertx.vertx();
  private final CompletableFuture<HttpServerResponse> stream = new CompletableFuture<>();
  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicBoolean answering = new AtomicBoolean(true);
  private final List<Failover> failovers = new CopyOnWriteArrayList<>();
  private int coordinatorPort;
  private int b1Port;
  private int b2Port;
  private SwitchboardClient client;

  @BeforeEach
  void start() throws Exception {
    b1Port = backend("b1", true);
    b2Port = backend("b2", false);
    HttpServer coordinator = vertx.createHttpServer().requestHandler(req -> {
      HttpServerResponse response = req.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
      response.write("event: snapshot\nid: e-1\ndata: {\"backends\":[" + record("b1", b1Port) + "]}\n\n");
      stream.complete(response);
    });
    coordinatorPort = coordinator.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    client = new SwitchboardClient(vertx, new SwitchboardClientOptions()
        .setCoordinators(List.of("http://127.0.0.1:" + coordinatorPort)).setIntervalMs(100).setTimeoutMs(600))
        .failoverHandler(failovers::add);
    client.start().await(10, TimeUnit.SECONDS);
    assertEquals("b1", client.backend().id());
  }

  @AfterEach
  void close() throws Exception {
    client.close().await(10, TimeUnit.SECONDS);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** A backend that welcomes and, while {@code answering} (b1) or always (b2), answers pings. */
  private int backend(String id, boolean counted) throws Exception {
    HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> {
      ws.writeTextMessage(new JsonObject().put("type", "welcome").put("backend", id).put("session", "s").encode());
      ws.textMessageHandler(text -> {
        JsonObject m = new JsonObject(text);
        if ("ping".equals(m.getString("type")) && (!counted || answering.get())) {
          if (counted) {
            pings.incrementAndGet();
          }
          ws.writeTextMessage(new JsonObject().put("type", "pong").put("id", m.getValue("id")).put("backend", id).encode());
        }
      });
    });
    return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  private static String record(String id, int port) {
    return new JsonObject().put("id", id).put("url", "ws://127.0.0.1:" + port + "/ws").put("node", "n").put("state", "UP")
        .put("connections", 0).put("capacity", 10).put("startedAt", 1).encode();
  }

  private void send(String event, String id, String data) throws Exception {
    stream.get(10, TimeUnit.SECONDS).write("event: " + event + "\nid: " + id + "\ndata: " + data + "\n\n");
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  /** Waits until b1 answered {@code more} further pings: time passed, and the connection kept working. */
  private void awaitPongs(int more) throws InterruptedException {
    int target = pings.get() + more;
    await(more + " more pongs from b1", () -> pings.get() >= target);
  }

  @Test
  void aConnectionThatAnswersItsHeartbeatsStaysWhenItsBackendIsRemovedAsUnreachable() throws Exception {
    send("remove", "e-2", "{\"id\":\"b1\",\"reason\":\"unreachable\"}");
    await("the removal applied", () -> client.knownBackends().isEmpty());
    awaitPongs(5);
    send("upsert", "e-3", record("b2", b2Port)); // an unrelated change does not drop it either
    await("b2 listed", () -> client.knownBackends().size() == 1);
    awaitPongs(5);
    assertEquals("b1", client.backend().id());
    assertEquals(List.of(), failovers);
    assertEquals(ClientState.OPEN, client.state());

    answering.set(false); // heartbeats are the judge: a missed pong moves it
    await("a heartbeat failover", () -> !failovers.isEmpty());
    assertEquals(MoveReason.HEARTBEAT_TIMEOUT, failovers.get(0).reason());
    await("the client on b2", () -> client.backend() != null && client.backend().id().equals("b2"));
  }

  @Test
  void anyOtherRemovalMovesTheClientAtOnce() throws Exception {
    send("upsert", "e-2", record("b2", b2Port));
    await("b2 listed", () -> client.knownBackends().size() == 2);
    send("remove", "e-3", "{\"id\":\"b1\",\"reason\":\"deregistered\"}");
    await("a failover", () -> !failovers.isEmpty());
    assertEquals(MoveReason.REMOVED, failovers.get(0).reason());
    await("the client on b2", () -> client.backend() != null && client.backend().id().equals("b2"));
  }
}
