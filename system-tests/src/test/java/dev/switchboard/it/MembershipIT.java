package dev.switchboard.it;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.BackendVerticle;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterNode;
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

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The membership engine against real processes: two coordinators (data members) and backend nodes
 * (lite members) in separate JVMs, killed, frozen and resumed with real signals.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MembershipIT {

  /** Documented bounds (docs/architecture.md), measured from the signal to the event at the client. */
  private static final Duration KILL_BOUND = Duration.ofSeconds(2);
  private static final Duration STOP_BOUND = Duration.ofSeconds(3);
  private static final Duration SHORT = Duration.ofSeconds(10);

  private static TestCluster cluster;
  private static TestCluster.Coordinator a;
  private static TestCluster.Coordinator b;
  private static TestCluster.BackendNode node;
  private static Vertx vertx;
  private static ClusterNode testNode;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.unique();
    a = cluster.coordinator("coordinator-a");
    b = cluster.coordinator("coordinator-b", "--history-size", "4");
    node = cluster.backendNode("backend", 2);
    vertx = Vertx.vertx();
    testNode = ClusterNode.start(cluster.liteMemberOptions()).await(90, TimeUnit.SECONDS);
    for (TestCluster.Coordinator c : List.of(a, b)) {
      Http.await("both backends on " + c.base(), SHORT, () -> ids(c).containsAll(node.ids()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (testNode != null) {
      testNode.close().await(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : new AutoCloseable[] {node, b, a}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static Set<String> ids(TestCluster.Coordinator c) throws Exception {
    return list(c).stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }

  private static JsonArray list(TestCluster.Coordinator c) throws Exception {
    return Http.getJson(c.base() + "/v1/backends").getJsonArray("backends");
  }

  private static SseProbe stream(TestCluster.Coordinator c, String lastEventId) throws Exception {
    return SseProbe.open(vertx, c.base() + "/v1/backends/stream", lastEventId);
  }

  private static boolean is(SseEvent e, String type, String id) {
    return e.event().equals(type) && id.equals(new JsonObject(e.data()).getString("id"));
  }

  private static boolean suspect(SseEvent e) {
    return new JsonObject(e.data()).getBoolean("suspect", false);
  }

  private static long msSince(long fromNanos, SseProbe.Arrival arrival) {
    return TimeUnit.NANOSECONDS.toMillis(arrival.nanos() - fromNanos);
  }

  private static String reason(SseEvent e) {
    return new JsonObject(e.data()).getString("reason");
  }

  private static void assertWithin(Duration bound, long fromNanos, SseProbe.Arrival arrival, String what) {
    long ms = msSince(fromNanos, arrival);
    assertTrue(ms <= bound.toMillis(), what + " took " + ms + " ms, bound " + bound.toMillis() + " ms");
  }

  @Test
  void killedBackendNodeLeavesEveryCoordinatorsListWithinTwoSeconds() throws Exception {
    try (SseProbe onA = stream(a, null); SseProbe onB = stream(b, null);
         TestCluster.BackendNode doomed = cluster.backendNode("backend-kill9", 1)) {
      String id = doomed.ids().get(0);
      onA.awaitEvent(e -> is(e, "upsert", id), SHORT);
      onB.awaitEvent(e -> is(e, "upsert", id), SHORT);
      long killedAt = System.nanoTime();
      doomed.process().kill9();
      SseProbe.Arrival atA = onA.awaitArrival(e -> is(e, "remove", id), SHORT);
      SseProbe.Arrival atB = onB.awaitArrival(e -> is(e, "remove", id), SHORT);
      System.out.printf("kill -9: removed after %d ms (A, %s) / %d ms (B, %s)%n",
          msSince(killedAt, atA), reason(atA.event()), msSince(killedAt, atB), reason(atB.event()));
      assertWithin(KILL_BOUND, killedAt, atA, "removal on coordinator A");
      assertWithin(KILL_BOUND, killedAt, atB, "removal on coordinator B");
      assertTrue(Set.of("node-left", "expired").contains(reason(atA.event())), reason(atA.event()));
    }
  }

  @Test
  void frozenBackendNodeIsSuspectFirstThenLeavesWithinThreeSecondsAndReturnsWhenResumed() throws Exception {
    try (SseProbe onA = stream(a, null); SseProbe onB = stream(b, null);
         TestCluster.BackendNode frozen = cluster.backendNode("backend-sigstop", 1)) {
      String id = frozen.ids().get(0);
      onA.awaitEvent(e -> is(e, "upsert", id), SHORT);
      onB.awaitEvent(e -> is(e, "upsert", id), SHORT);
      long stoppedAt = System.nanoTime();
      frozen.process().signal("STOP");
      try {
        // each probe is read in order: a remove before the suspect upsert fails the second wait
        SseProbe.Arrival suspectA = onA.awaitArrival(e -> is(e, "upsert", id) && suspect(e), SHORT);
        SseProbe.Arrival atA = onA.awaitArrival(e -> is(e, "remove", id), SHORT);
        SseProbe.Arrival suspectB = onB.awaitArrival(e -> is(e, "upsert", id) && suspect(e), SHORT);
        SseProbe.Arrival atB = onB.awaitArrival(e -> is(e, "remove", id), SHORT);
        System.out.printf("SIGSTOP: suspect after %d ms (A) / %d ms (B), removed after %d ms (A) / %d ms (B)%n",
            msSince(stoppedAt, suspectA), msSince(stoppedAt, suspectB), msSince(stoppedAt, atA), msSince(stoppedAt, atB));
        assertWithin(STOP_BOUND, stoppedAt, atA, "removal on coordinator A");
        assertWithin(STOP_BOUND, stoppedAt, atB, "removal on coordinator B");
        assertEquals("expired", reason(atA.event()));
        assertEquals("expired", reason(atB.event()));
      } finally {
        frozen.process().signal("CONT");
      }
      onA.awaitEvent(e -> is(e, "upsert", id) && !suspect(e), SHORT);
      onB.awaitEvent(e -> is(e, "upsert", id) && !suspect(e), SHORT);
      assertTrue(ids(a).contains(id) && ids(b).contains(id), "back on both lists after SIGCONT");
    }
  }

  @Test
  void coordinatorsAgreeAndOneStartedLateServesTheFullListAtOnce() throws Exception {
    try (TestCluster.Coordinator late = cluster.coordinator("coordinator-late", "--keep-alive-ms", "200")) {
      try (Socket idle = new Socket(URI.create(late.base()).getHost(), URI.create(late.base()).getPort())) {
        idle.getOutputStream().write("GET /v1/backends/stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        idle.setSoTimeout(10_000);
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[4096];
        while (!seen.toString().contains(": keep-alive\n\n")) {
          int n = idle.getInputStream().read(buf);
          assertTrue(n > 0, "stream open until a keep-alive comment arrives");
          seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
      }
      Set<JsonObject> onA = new HashSet<>(list(a).stream().map(o -> (JsonObject) o).toList());
      Set<JsonObject> onLate = new HashSet<>(list(late).stream().map(o -> (JsonObject) o).toList());
      assertTrue(onLate.containsAll(node.ids().stream().map(id -> onA.stream()
          .filter(r -> r.getString("id").equals(id)).findFirst().orElseThrow()).toList()),
          "the late coordinator's first answer holds every backend, identical to A's: " + onLate);
      assertEquals(ids(a), ids(b));
    }
  }

  @Test
  void clientsOfAKilledCoordinatorResumeOnAnotherWithTheirLastEventId() throws Exception {
    String lastId;
    try (TestCluster.Coordinator doomed = cluster.coordinator("coordinator-doomed");
         SseProbe probe = stream(doomed, null)) {
      lastId = probe.next(SHORT).id();
      doomed.process().kill9();
    }
    BackendVerticle extra = new BackendVerticle(new BackendOptions().setPortBase(0).setHost("127.0.0.1"),
        testNode.nodeId(), 31);
    String deployment = testNode.vertx().deployVerticle(extra).await(30, TimeUnit.SECONDS);
    try (SseProbe resumed = SseProbe.open(vertx, b.base() + "/v1/backends/stream?lastEventId=" + lastId, null)) {
      SseEvent first = resumed.next(SHORT);
      assertEquals("snapshot", first.event(), "another coordinator's id is unknown here: a fresh snapshot");
      Set<String> listed = new JsonObject(first.data()).getJsonArray("backends").stream()
          .map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
      Http.await("B to list the new backend", SHORT, () -> ids(b).contains(extra.record().id()));
      assertTrue(listed.containsAll(node.ids()), listed.toString());
      testNode.vertx().undeploy(deployment).await(30, TimeUnit.SECONDS);
      deployment = null;
      if (listed.contains(extra.record().id())) {
        resumed.awaitEvent(e -> is(e, "remove", extra.record().id()), SHORT);
      }
    } finally {
      if (deployment != null) {
        testNode.vertx().undeploy(deployment).await(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void resumeFromAnIdOlderThanTheHistoryGetsASnapshot() throws Exception {
    String old;
    try (SseProbe probe = stream(b, null)) {
      old = probe.next(SHORT).id();
    }
    for (int i = 0; i < 3; i++) { // 6 changes, B keeps 4
      BackendVerticle v = new BackendVerticle(new BackendOptions().setPortBase(0).setHost("127.0.0.1"),
          testNode.nodeId(), 40 + i);
      String dep = testNode.vertx().deployVerticle(v).await(30, TimeUnit.SECONDS);
      Http.await("B to list " + v.record().id(), SHORT, () -> ids(b).contains(v.record().id()));
      testNode.vertx().undeploy(dep).await(30, TimeUnit.SECONDS);
      Http.await("B to drop " + v.record().id(), SHORT, () -> !ids(b).contains(v.record().id()));
    }
    try (SseProbe resumed = stream(b, old)) {
      assertEquals("snapshot", resumed.next(SHORT).event());
    }
  }

  @Test
  void aSubscriberThatStopsReadingIsDisconnectedWhileOthersKeepReceiving() throws Exception {
    URI uri = URI.create(a.base());
    Map<String, Object> registry = testNode.hazelcast().getMap(ClusterNames.BACKENDS_MAP);
    String bulky = "z".repeat(2000);
    BackendRecord base = new BackendRecord("bulk-1", "chat", "ws://127.0.0.1:1/ws?" + bulky, testNode.nodeId(),
        bulky, BackendState.UP, 0, 1_000_000, 100, 1);
    // a backend on this JVM's node keeps the node heartbeating, so its records stay visible
    String anchor = testNode.vertx().deployVerticle(new BackendVerticle(
        new BackendOptions().setPortBase(0).setHost("127.0.0.1"), testNode.nodeId(), 50)).await(30, TimeUnit.SECONDS);
    try (Socket stalled = new Socket(); SseProbe reader = stream(a, null)) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
      OutputStream out = stalled.getOutputStream();
      out.write(("GET /v1/backends/stream HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Http.await("the stalled stream to be counted", SHORT, () -> metric(a, "switchboard_subscribers") >= 2);
      double slowBefore = metric(a, "switchboard_subscribers_slow_disconnected_total");
      int n = 0;
      // bounded: at most 20,000 changes of ~4 KB (80 MB written in total), stop as soon as it is cut off
      while (n < 20_000 && metric(a, "switchboard_subscribers_slow_disconnected_total") == slowBefore) {
        for (int i = 0; i < 500; i++, n++) {
          registry.put(base.id(), base.withConnections(n).toJson().encode());
        }
      }
      assertTrue(metric(a, "switchboard_subscribers_slow_disconnected_total") > slowBefore,
          "the stalled subscriber was disconnected after " + n + " changes");
      registry.put(base.id(), base.withConnections(1_000_000).toJson().encode());
      reader.awaitEvent(e -> is(e, "upsert", base.id())
          && new JsonObject(e.data()).getInteger("connections") == 1_000_000, Duration.ofSeconds(30));
      assertTrue(drainsToEndOfStream(stalled.getInputStream()), "the stalled connection was closed by the coordinator");
    } finally {
      registry.remove(base.id());
      testNode.vertx().undeploy(anchor).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void pastTheSubscriberCapNewStreamsGet503WithRetryAfter() throws Exception {
    try (TestCluster.Coordinator capped = cluster.coordinator("coordinator-capped", "--max-subscribers", "2")) {
      SseProbe first = stream(capped, null);
      try (SseProbe second = stream(capped, null)) {
        assertEquals(200, second.status());
        HttpResponse<String> refused = Http.get(capped.base() + "/v1/backends/stream");
        assertEquals(503, refused.statusCode());
        assertTrue(refused.headers().firstValue("Retry-After").isPresent());
        assertTrue(new JsonObject(refused.body()).getString("error").contains("limit"));
      }
      first.close();
      Http.await("a freed slot", SHORT, () -> metric(capped, "switchboard_subscribers") < 2);
      try (SseProbe again = stream(capped, null)) {
        assertEquals(200, again.status());
        assertEquals("snapshot", again.next(SHORT).event());
      }
    }
  }

  private static double metric(TestCluster.Coordinator c, String name) throws Exception {
    String text = Http.get(c.base() + "/metrics").body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static boolean drainsToEndOfStream(InputStream in) throws Exception {
    byte[] buffer = new byte[64 * 1024];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try {
      while (System.nanoTime() < deadline) {
        if (in.read(buffer) < 0) {
          return true;
        }
      }
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }
}
