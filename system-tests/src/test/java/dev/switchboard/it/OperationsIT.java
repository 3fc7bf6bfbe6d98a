package dev.switchboard.it;

import dev.switchboard.model.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drain, runtime scaling and rebalance through the coordinator's admin API, against real JVMs. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class OperationsIT {

  private static final String TOKEN = "it-secret";
  private static final Duration SHORT = Duration.ofSeconds(15);

  private static final AtomicInteger failedMoves = new AtomicInteger();
  private static CoordinatorFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = CoordinatorFixture.start("coordinator-ops", "--admin-token", TOKEN);
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static List<JsonObject> list() throws Exception {
    JsonArray all = Http.getJson(fixture.coordinator().base() + "/v1/backends").getJsonArray("backends");
    return all.stream().map(o -> (JsonObject) o).toList();
  }

  private static JsonObject record(String id) throws Exception {
    return list().stream().filter(r -> r.getString("id").equals(id)).findFirst().orElse(null);
  }

  private static List<JsonObject> ofNode(String node) throws Exception {
    return list().stream().filter(r -> r.getString("node").equals(node)).toList();
  }

  /** The node id of {@code n}'s backends, once the coordinator lists all of them (they registered; the list may lag). */
  private static String nodeOf(TestCluster.BackendNode n) throws Exception {
    Http.await(n.ids() + " listed", SHORT, () -> list().stream().map(r -> r.getString("id")).toList().containsAll(n.ids()));
    return record(n.ids().get(0)).getString("node");
  }

  @Test
  void adminEndpointsNeedTheTokenAndDoNotExistWithoutOne() throws Exception {
    assertEquals(401, Http.post(fixture.coordinator().base() + "/v1/admin/nodes/x/scale", null, new JsonObject()).statusCode());
    assertEquals(401, Http.post(fixture.coordinator().base() + "/v1/admin/nodes/x/scale", "wrong", new JsonObject()).statusCode());
    HttpResponse<String> unknown = Http.post(fixture.coordinator().base() + "/v1/admin/backends/nope/drain", TOKEN, null);
    assertEquals(404, unknown.statusCode());
    assertTrue(new JsonObject(unknown.body()).containsKey("error"));
    assertEquals(400, Http.post(fixture.coordinator().base() + "/v1/admin/nodes/x/scale", TOKEN,
        new JsonObject().put("instances", "many")).statusCode());
    try (TestCluster.Coordinator open = fixture.cluster().coordinator("coordinator-no-admin")) {
      assertEquals(404, Http.post(open.base() + "/v1/admin/nodes/x/scale", TOKEN, new JsonObject()).statusCode());
    }
  }

  @Test
  void drainedBackendWarnsItsClientsRefusesNewOnesClosesAtTheDeadlineAndLeaves() throws Exception {
    try (TestCluster.BackendNode node = fixture.cluster().backendNode("backend-drain", 2);
         SseProbe stream = SseProbe.open(fixture.vertx(), fixture.coordinator().base() + "/v1/backends/stream", null)) {
      String id = node.ids().get(0);
      String url = record(id).getString("url");
      try (RawWebSocket client = RawWebSocket.connect(url, null)) {
        assertEquals("welcome", new JsonObject(client.read().text()).getString("type"));
        HttpResponse<String> accepted = Http.post(fixture.coordinator().base() + "/v1/admin/backends/" + id + "/drain?deadlineMs=2000",
            TOKEN, null);
        assertEquals(202, accepted.statusCode(), accepted.body());
        JsonObject drain = new JsonObject(client.read().text());
        assertEquals("drain", drain.getString("type"));
        assertEquals(2000, drain.getInteger("deadlineMs"));
        stream.awaitEvent(e -> e.event().equals("upsert") && new JsonObject(e.data()).getString("id").equals(id)
            && "DRAINING".equals(new JsonObject(e.data()).getString("state")), SHORT);
        String[] status = new String[1];
        assertNull(RawWebSocket.connect(url, status), "no new connection on a draining backend");
        assertTrue(status[0].contains(" 503 "), status[0]);
        long start = System.nanoTime();
        assertEquals(1001, client.awaitClose(), "closed at the deadline");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 1000, "not before the deadline");
      }
      SseEvent removed = stream.awaitEvent(e -> e.event().equals("remove")
          && new JsonObject(e.data()).getString("id").equals(id), SHORT);
      assertEquals("deregistered", new JsonObject(removed.data()).getString("reason"));
      assertTrue(record(node.ids().get(1)) != null, "the other backend serves on");
    }
  }

  @Test
  void sigtermDrainsTheNodeAndItLeavesOnceItsClientsMoved() throws Exception {
    try (TestCluster.BackendNode node = fixture.cluster().backendNode("backend-sigterm-drain", 1);
         SseProbe stream = SseProbe.open(fixture.vertx(), fixture.coordinator().base() + "/v1/backends/stream", null)) {
      String id = node.ids().get(0);
      try (RawWebSocket client = RawWebSocket.connect(record(id).getString("url"), null)) {
        client.read(); // welcome
        node.process().signal("TERM");
        assertEquals("drain", new JsonObject(client.read().text()).getString("type"));
      } // the client moves away: the drain completes early
      SseEvent removed = stream.awaitEvent(e -> e.event().equals("remove")
          && new JsonObject(e.data()).getString("id").equals(id), SHORT);
      assertEquals("deregistered", new JsonObject(removed.data()).getString("reason"));
    }
  }

  @Test
  void aNodeScalesFromTwoToFourBackendsAndBackAtRunTime() throws Exception {
    try (TestCluster.BackendNode node = fixture.cluster().backendNode("backend-scale", 2)) {
      String nodeId = nodeOf(node);
      HttpResponse<String> up = Http.post(fixture.coordinator().base() + "/v1/admin/nodes/" + nodeId + "/scale", TOKEN,
          new JsonObject().put("instances", 4));
      assertEquals(200, up.statusCode(), up.body());
      assertEquals(4, new JsonObject(up.body()).getInteger("instances"));
      Http.await("4 backends of the node listed", SHORT, () -> ofNode(nodeId).size() == 4);
      HttpResponse<String> down = Http.post(fixture.coordinator().base() + "/v1/admin/nodes/" + nodeId + "/scale", TOKEN,
          new JsonObject().put("instances", 2));
      assertEquals(200, down.statusCode(), down.body());
      Http.await("back to 2 backends", SHORT, () -> ofNode(nodeId).size() == 2);
      assertTrue(node.process().isAlive(), "no JVM restart");
      assertEquals(404, Http.post(fixture.coordinator().base() + "/v1/admin/nodes/not-a-node/scale", TOKEN,
          new JsonObject().put("instances", 1)).statusCode());
    }
  }

  @Test
  void afterScaleOutFourHundredConnectionsSpreadToWithinTenPercentOfTheMean() throws Exception {
    WebSocketClient client = fixture.vertx().createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1000));
    AtomicInteger moved = new AtomicInteger();
    Map<WebSocket, String> where = new java.util.concurrent.ConcurrentHashMap<>();
    // the clients connect just before the scale-out: the default 30 s hold-down (no rebalance move for a
    // client connected that recently) would hold them all, and again those a move overfilled a backend with
    try (TestCluster.BackendNode node = fixture.cluster().backendNode("backend-rebalance", 2,
        "--rebalance-hold-down-ms", "3000")) {
      String nodeId = nodeOf(node);
      List<JsonObject> start = ofNode(nodeId);
      for (int i = 0; i < 400; i++) {
        connect(client, start.get(i % 2), where, moved, nodeId).await(10, TimeUnit.SECONDS);
      }
      Http.await("400 connections reported", SHORT, () -> ofNode(nodeId).stream()
          .mapToInt(r -> r.getInteger("connections")).sum() == 400);
      assertEquals(200, Http.post(fixture.coordinator().base() + "/v1/admin/nodes/" + nodeId + "/scale", TOKEN,
          new JsonObject().put("instances", 4)).statusCode());
      List<String> last = new ArrayList<>();
      try {
        Http.await("the largest backend within 1.10 x the mean", Duration.ofSeconds(60), () -> {
          List<JsonObject> now = ofNode(nodeId);
          last.clear();
          now.forEach(r -> last.add(r.getString("id") + "=" + r.getInteger("connections")));
          int total = now.stream().mapToInt(r -> r.getInteger("connections")).sum();
          int max = now.stream().mapToInt(r -> r.getInteger("connections")).max().orElse(0);
          return now.size() == 4 && total == 400 && max <= 1.10 * total / 4.0;
        });
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; last seen " + last + ", moved " + moved.get()
            + ", failed moves " + failedMoves.get() + ", whole list " + list().stream()
            .map(r -> r.getString("id") + ":" + r.getString("state") + "=" + r.getInteger("connections")).toList());
      }
      assertEquals(0, failedMoves.get(), "every move found a backend");
      assertTrue(moved.get() <= 300, "moved " + moved.get() + " of 400: gradual, not a reconnect storm");
      assertTrue(moved.get() >= 150, "about half of the connections had to move, moved " + moved.get());
    } finally {
      client.close();
    }
  }

  /**
   * A test client: on {@code drain} it moves to the less loaded of two random other backends of the
   * node (power of two choices), opening the new connection before closing the old one.
   */
  private Future<WebSocket> connect(WebSocketClient client, JsonObject backend, Map<WebSocket, String> where,
      AtomicInteger moved, String nodeId) {
    return client.connect(new WebSocketConnectOptions().setAbsoluteURI(backend.getString("url"))).onSuccess(ws -> {
      where.put(ws, backend.getString("id"));
      ws.textMessageHandler(text -> {
        if ("drain".equals(new JsonObject(text).getString("type"))) {
          move(client, ws, where, moved, nodeId, 5);
        }
      });
    });
  }

  private void move(WebSocketClient client, WebSocket ws, Map<WebSocket, String> where, AtomicInteger moved,
      String nodeId, int attempts) {
    if (attempts == 0) {
      failedMoves.incrementAndGet();
      return;
    }
    fixture.vertx().executeBlocking(() -> {
      List<JsonObject> options = ofNode(nodeId).stream()
          .filter(r -> "UP".equals(r.getString("state")) && !r.getString("id").equals(where.get(ws))).toList();
      JsonObject a = options.get(ThreadLocalRandom.current().nextInt(options.size()));
      JsonObject b = options.get(ThreadLocalRandom.current().nextInt(options.size()));
      return a.getInteger("connections") <= b.getInteger("connections") ? a : b;
    }).compose(target -> connect(client, target, where, moved, nodeId)).onComplete(ar -> {
      if (ar.succeeded()) {
        moved.incrementAndGet();
        where.remove(ws);
        ws.close();
      } else {
        move(client, ws, where, moved, nodeId, attempts - 1);
      }
    });
  }
}
