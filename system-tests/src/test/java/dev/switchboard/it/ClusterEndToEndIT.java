package dev.switchboard.it;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.BackendVerticle;
import dev.switchboard.client.BackendListStream;
import dev.switchboard.client.ListEvent;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.ClusterOptions;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.SseEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The walking skeleton end to end: a coordinator JVM and a backend-node JVM started from their jars,
 * joined over Hazelcast on loopback; this JVM joins too (as a lite member) where a test needs to act
 * inside the cluster.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ClusterEndToEndIT {

  private static final Duration START = Duration.ofSeconds(90);
  private static final Duration SHORT = Duration.ofSeconds(10);

  private static TestCluster cluster;
  private static JvmProcess coordinator;
  private static JvmProcess backendNode;
  private static String base;
  private static Vertx vertx;
  private static ClusterNode testNode;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.unique();
    coordinator = JvmProcess.start("coordinator", "switchboard.coordinator.jar",
        cluster.args("--port", "0", "--host", "127.0.0.1"));
    String port = coordinator.awaitLine("coordinator ready: http://[^:]+:(\\d+)", START).group(1);
    base = "http://127.0.0.1:" + port;
    backendNode = JvmProcess.start("backend", "switchboard.backend.jar",
        cluster.args("--instances", "3", "--port-base", "0", "--host", "127.0.0.1"));
    backendNode.awaitLine("backend node ready: 3 backends", START);
    Http.await("3 backends in the coordinator's list", SHORT,
        () -> Http.getJson(base + "/v1/backends").getJsonArray("backends").size() == 3);
    vertx = Vertx.vertx();
    testNode = ClusterNode.start(new ClusterOptions().setClusterName(cluster.name()).setPort(cluster.port())
        .setMembers(cluster.members()).setLiteMember(true)).await(90, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (testNode != null) {
      testNode.close().await(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (backendNode != null) {
      backendNode.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
  }

  private static List<BackendRecord> nodeBackends() throws Exception {
    JsonArray all = Http.getJson(base + "/v1/backends").getJsonArray("backends");
    return all.stream().map(o -> BackendRecord.fromJson((JsonObject) o)).filter(r -> r.id().contains("-"))
        .filter(r -> !r.node().equals(testNode.nodeId())).toList();
  }

  private static SseProbe stream(String lastEventId) throws Exception {
    return SseProbe.open(vertx, base + "/v1/backends/stream", lastEventId);
  }

  private static boolean is(SseEvent e, String type, String id) {
    return e.event().equals(type) && new JsonObject(e.data()).getString("id").equals(id);
  }

  @Test
  void sseSnapshotListsEveryBackendOfTheNode() throws Exception {
    try (SseProbe probe = stream(null)) {
      assertEquals(200, probe.status());
      assertTrue(probe.header("Content-Type").startsWith("text/event-stream"));
      SseEvent snapshot = probe.next(SHORT);
      assertEquals("snapshot", snapshot.event());
      assertFalse(snapshot.id().isEmpty(), "every event carries an id");
      Set<String> ids = new JsonObject(snapshot.data()).getJsonArray("backends").stream()
          .map(o -> BackendRecord.fromJson((JsonObject) o)).filter(r -> r.state() == BackendState.UP)
          .map(BackendRecord::id).collect(Collectors.toSet());
      assertTrue(ids.containsAll(nodeBackends().stream().map(BackendRecord::id).toList()), ids.toString());
      assertEquals(3, nodeBackends().size());
    }
  }

  @Test
  void javaListStreamFollowsTheSnapshot() throws Exception {
    BlockingQueue<ListEvent> events = new LinkedBlockingQueue<>();
    BackendListStream list = new BackendListStream(vertx, base, "chat").handler(events::add);
    try {
      list.open().await(10, TimeUnit.SECONDS);
      ListEvent first = events.poll(10, TimeUnit.SECONDS);
      assertTrue(first instanceof ListEvent.Snapshot, String.valueOf(first));
      Set<String> ids = ((ListEvent.Snapshot) first).backends().stream().map(BackendRecord::id).collect(Collectors.toSet());
      assertTrue(ids.containsAll(nodeBackends().stream().map(BackendRecord::id).toList()));
    } finally {
      list.close();
    }
  }

  @Test
  void webSocketGreetsThenAnswersPingWithPong() throws Exception {
    BackendRecord backend = nodeBackends().get(0);
    try (WsProbe ws = WsProbe.connect(vertx, backend.url())) {
      JsonObject welcome = ws.next(SHORT);
      assertEquals("welcome", welcome.getString("type"));
      assertEquals(backend.id(), welcome.getString("backend"));
      assertTrue(welcome.getLong("heartbeatMs") > 0);
      ws.send(new JsonObject().put("type", "ping").put("id", 42));
      assertEquals(new JsonObject().put("type", "pong").put("id", 42).put("backend", backend.id()), ws.next(SHORT));
      ws.send(new JsonObject().put("type", "echo").put("id", 1).put("data", new JsonObject().put("k", "v")));
      assertEquals(new JsonObject().put("type", "echo").put("id", 1).put("data", new JsonObject().put("k", "v")),
          ws.next(SHORT));
    }
  }

  @Test
  void malformedJsonGetsAnErrorFrameAndTheConnectionStaysOpen() throws Exception {
    BackendRecord backend = nodeBackends().get(1);
    try (WsProbe ws = WsProbe.connect(vertx, backend.url())) {
      assertEquals("welcome", ws.next(SHORT).getString("type"));
      ws.send("{this is not json");
      JsonObject error = ws.next(SHORT);
      assertEquals("error", error.getString("type"));
      assertEquals("bad-json", error.getString("code"));
      ws.send("{\"type\":\"warp\"}");
      assertEquals("unknown-type", ws.next(SHORT).getString("code"));
      ws.send("{\"type\":\"ping\"}");
      assertEquals("bad-message", ws.next(SHORT).getString("code"));
      ws.send(new JsonObject().put("type", "ping").put("id", 7));
      JsonObject pong = ws.next(SHORT);
      assertEquals("pong", pong.getString("type"));
      assertEquals(7, pong.getInteger("id"));
      assertTrue(ws.isOpen());
    }
  }

  @Test
  void openConnectionsReachTheListAsLoad() throws Exception {
    BackendRecord backend = nodeBackends().get(2);
    try (SseProbe probe = stream(null); WsProbe ws = WsProbe.connect(vertx, backend.url())) {
      assertEquals("welcome", ws.next(SHORT).getString("type"));
      SseEvent loaded = probe.awaitEvent(e -> e.event().equals("upsert")
          && new JsonObject(e.data()).getString("id").equals(backend.id())
          && new JsonObject(e.data()).getInteger("connections") >= 1, SHORT);
      assertEquals(backend.url(), new JsonObject(loaded.data()).getString("url"));
    }
  }

  @Test
  void undeployedBackendVerticleProducesARemoveEvent() throws Exception {
    try (SseProbe probe = stream(null)) {
      assertEquals("snapshot", probe.next(SHORT).event());
      BackendVerticle backend = new BackendVerticle(new BackendOptions().setPortBase(0).setHost("127.0.0.1"),
          testNode.nodeId(), 7);
      String deployment = testNode.vertx().deployVerticle(backend).await(30, TimeUnit.SECONDS);
      String id = backend.record().id();
      probe.awaitEvent(e -> is(e, "upsert", id), SHORT);
      testNode.vertx().undeploy(deployment).await(30, TimeUnit.SECONDS);
      SseEvent removed = probe.awaitEvent(e -> is(e, "remove", id), SHORT);
      assertEquals("deregistered", new JsonObject(removed.data()).getString("reason"));
    }
  }

  @Test
  void resumeWithLastEventIdGetsExactlyTheMissedEvents() throws Exception {
    String before;
    try (SseProbe probe = stream(null)) {
      before = probe.next(SHORT).id();
    }
    BackendVerticle backend = new BackendVerticle(new BackendOptions().setPortBase(0).setHost("127.0.0.1"),
        testNode.nodeId(), 8);
    String deployment = testNode.vertx().deployVerticle(backend).await(30, TimeUnit.SECONDS);
    try {
      String id = backend.record().id();
      Http.await("the coordinator to list " + id, SHORT,
          () -> Http.getJson(base + "/v1/backends").encode().contains("\"" + id + "\""));
      try (SseProbe resumed = stream(before)) {
        SseEvent first = resumed.next(SHORT);
        assertTrue(is(first, "upsert", id), "resume replays the missed upsert, not a snapshot: " + first);
        assertNotEquals(before, first.id());
      }
      try (SseProbe byQuery = SseProbe.open(vertx, base + "/v1/backends/stream?lastEventId=" + before, null)) {
        assertTrue(is(byQuery.next(SHORT), "upsert", id), "lastEventId query parameter works like the header");
      }
    } finally {
      testNode.vertx().undeploy(deployment).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void serviceFilterListsOnlyThatService() throws Exception {
    try (SseProbe other = SseProbe.open(vertx, base + "/v1/backends/stream?service=video", null);
         SseProbe chat = SseProbe.open(vertx, base + "/v1/backends/stream?service=chat", null)) {
      assertEquals(0, new JsonObject(other.next(SHORT).data()).getJsonArray("backends").size());
      assertTrue(new JsonObject(chat.next(SHORT).data()).getJsonArray("backends").size() >= 3);
    }
    assertEquals(0, Http.getJson(base + "/v1/backends?service=video").getJsonArray("backends").size());
  }

  @Test
  void loadChangesOfOneBackendAreCoalescedToOneEventPerSecond() throws Exception {
    BackendRecord backend = nodeBackends().get(0);
    List<WsProbe> sockets = new ArrayList<>();
    try (SseProbe probe = stream(null)) {
      assertEquals("snapshot", probe.next(SHORT).event());
      for (int i = 0; i < 20; i++) {
        WsProbe ws = WsProbe.connect(vertx, backend.url());
        sockets.add(ws);
        ws.next(SHORT); // welcome: the connection is counted
      }
      List<Long> arrivals = new ArrayList<>();
      int connections = -1;
      while (connections != 20) {
        SseProbe.Arrival a = probe.awaitArrival(e -> is(e, "upsert", backend.id()), SHORT);
        arrivals.add(a.nanos());
        connections = new JsonObject(a.event().data()).getInteger("connections");
      }
      for (int i = 1; i < arrivals.size(); i++) {
        long gapMs = TimeUnit.NANOSECONDS.toMillis(arrivals.get(i) - arrivals.get(i - 1));
        assertTrue(gapMs >= 900, "load events of one backend are at least ~1 s apart, got " + gapMs + " ms");
      }
      assertTrue(arrivals.size() <= 3, "20 connection changes coalesced into " + arrivals.size() + " events");
    } finally {
      sockets.forEach(WsProbe::close);
    }
  }

  @Test
  void streamStartsWithARetryHint() throws Exception {
    URI uri = URI.create(base);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.getOutputStream().write("GET /v1/backends/stream HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      socket.setSoTimeout(10_000);
      String head = new String(socket.getInputStream().readNBytes(400), StandardCharsets.UTF_8);
      assertTrue(head.contains("\r\n\r\n"), head);
      String body = head.substring(head.indexOf("\r\n\r\n") + 4);
      assertTrue(body.matches("(?s)[0-9a-f]+\r\nretry: 2000\n\n.*"), "first bytes of the stream: " + body);
    }
  }

  @Test
  void garbageOrForeignLastEventIdGetsAFreshSnapshot() throws Exception {
    for (String bad : List.of("garbage", "zzz-1", "-1", "x".repeat(500), "12345")) {
      try (SseProbe probe = stream(bad)) {
        assertEquals(200, probe.status());
        assertEquals("snapshot", probe.next(SHORT).event(), "Last-Event-ID " + bad);
      }
    }
  }

  @Test
  void badRequestsGetJsonErrors() throws Exception {
    HttpResponse<String> badService = Http.get(base + "/v1/backends/stream?service=NOT_VALID!");
    assertEquals(400, badService.statusCode());
    assertTrue(new JsonObject(badService.body()).getString("error").contains("service"));
    HttpResponse<String> missing = Http.get(base + "/v1/nothing");
    assertEquals(404, missing.statusCode());
    assertTrue(new JsonObject(missing.body()).containsKey("error"));
    assertEquals(200, Http.get(base + "/health/live").statusCode());
    assertEquals(200, Http.get(base + "/health/ready").statusCode());
    String metrics = Http.get(base + "/metrics").body();
    for (String name : List.of("switchboard_subscribers ", "switchboard_events_sent_total", "switchboard_view_version",
        "switchboard_backends{state=\"UP\"}", "switchboard_detection_latency_seconds_bucket",
        "switchboard_fanout_latency_seconds_bucket", "switchboard_records_invalid_total")) {
      assertTrue(metrics.contains(name), "metrics expose " + name);
    }
  }

  @Test
  void invalidRecordsInTheRegistryNeverReachClients() throws Exception {
    Map<String, Object> registry = testNode.hazelcast().getMap(ClusterNames.BACKENDS_MAP);
    BackendRecord marker = new BackendRecord("marker-1", "chat", "ws://127.0.0.1:1/ws", testNode.nodeId(),
        "local", BackendState.UP, 0, 1, 100, 1);
    try (SseProbe probe = stream(null)) {
      assertEquals("snapshot", probe.next(SHORT).event());
      registry.put("evil-1", "{not json");
      registry.put("evil-1", "{not json");
      registry.put("evil-2", marker.toJson().put("id", "evil-2").put("url", "http://x/").encode());
      registry.put("evil-3", marker.toJson().encode());   // key and id disagree
      registry.put("evil-4", 12345);
      registry.put(marker.id(), marker.toJson().encode());
      SseEvent next = probe.next(SHORT);
      assertTrue(is(next, "upsert", marker.id()), "only the valid record is published, got " + next);
      String list = Http.get(base + "/v1/backends").body();
      assertFalse(list.contains("evil"), list);
      for (String evil : List.of("evil-1", "evil-2", "evil-3", "evil-4")) {
        assertEquals(1, coordinator.count("rejected registry entry '" + evil + "'"), evil + " is logged once");
      }
      assertEquals(200, Http.get(base + "/health/ready").statusCode());
    } finally {
      List.of("evil-1", "evil-2", "evil-3", "evil-4", marker.id()).forEach(registry::remove);
    }
  }

  @Test
  void killedBackendNodeLeavesTheList() throws Exception {
    try (SseProbe probe = stream(null);
         JvmProcess doomed = JvmProcess.start("backend-kill9", "switchboard.backend.jar",
             cluster.args("--instances", "1", "--port-base", "0", "--host", "127.0.0.1"))) {
      String id = doomed.awaitLine("switchboard backend (\\S+): ws://", START).group(1);
      probe.awaitEvent(e -> is(e, "upsert", id), START);
      doomed.kill9();
      SseEvent removed = probe.awaitEvent(e -> is(e, "remove", id), Duration.ofSeconds(30));
      assertEquals("node-left", new JsonObject(removed.data()).getString("reason"));
    }
  }

  @Test
  void backendNodeStoppedWithSigtermDeregistersEveryBackend() throws Exception {
    try (SseProbe probe = stream(null);
         JvmProcess leaving = JvmProcess.start("backend-sigterm", "switchboard.backend.jar",
             cluster.args("--instances", "2", "--port-base", "0", "--host", "127.0.0.1"))) {
      List<String> ids = List.of(
          leaving.awaitLine("switchboard backend (\\S+-0): ws://", START).group(1),
          leaving.awaitLine("switchboard backend (\\S+-1): ws://", START).group(1));
      for (String id : ids) {
        probe.awaitEvent(e -> is(e, "upsert", id), START);
      }
      leaving.terminate(Duration.ofSeconds(30));
      Set<String> pending = new HashSet<>(ids);
      while (!pending.isEmpty()) {
        SseEvent removed = probe.awaitEvent(e -> e.event().equals("remove")
            && pending.contains(new JsonObject(e.data()).getString("id")), SHORT);
        JsonObject data = new JsonObject(removed.data());
        assertEquals("deregistered", data.getString("reason"), "a graceful exit deregisters, not node-left");
        pending.remove(data.getString("id"));
      }
    }
  }
}
