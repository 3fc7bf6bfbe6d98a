package dev.switchboard.it;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.BackendVerticle;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.model.SseEvent;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No false removals (default liveness settings): a backend node that is alive but starved of CPU, or a
 * coordinator that stalls, costs no backend its place on the list. Suspect flaps are allowed; they are
 * counted and printed. Real JVMs: one coordinator and two backend nodes; for a node whose event loops
 * are all busy, a clustered node in this JVM whose loops the test blocks.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LivenessUnderLoadIT {

  private static final Duration HOG = Duration.ofSeconds(60);
  private static final Duration SHORT = Duration.ofSeconds(10);
  /** Longer than the liveness timeout (2.5 s), so that counting the stall as silence would remove every backend. */
  private static final Duration FREEZE = Duration.ofSeconds(4);

  private static TestCluster cluster;
  private static TestCluster.Coordinator coordinator;
  private static TestCluster.BackendNode first;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.unique();
    coordinator = cluster.coordinator("coordinator-load");
    first = cluster.backendNode("backend-load-1", 2);
    vertx = Vertx.vertx();
    Http.await("the first node's backends listed", SHORT, () -> listed().containsAll(first.ids()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : new AutoCloseable[] {first, coordinator}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static Set<String> listed() throws Exception {
    return Http.getJson(coordinator.base() + "/v1/backends").getJsonArray("backends").stream()
        .map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
  }

  private static boolean anySuspect() throws Exception {
    return Http.getJson(coordinator.base() + "/v1/backends").getJsonArray("backends").stream()
        .anyMatch(o -> ((JsonObject) o).getBoolean("suspect", false));
  }

  private static SseProbe stream() throws Exception {
    SseProbe probe = SseProbe.open(vertx, coordinator.base() + "/v1/backends/stream", null);
    assertEquals("snapshot", probe.next(SHORT).event());
    return probe;
  }

  @Test
  void aCpuHogOnEveryCoreRemovesNoLiveBackendNotEvenOfANodeStartedUnderIt() throws Exception {
    int loops = Math.min(4, Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));
    long suspectLogsBefore = coordinator.process().count("silent for \\d+ ms: suspect");
    List<SseProbe.Arrival> events;
    double busy;
    long hogStart = System.nanoTime();
    try (SseProbe probe = stream();
         CpuHog hog = CpuHog.start(loops, HOG.plusSeconds(30))) {
      // a node that starts (class loading, JIT, joining) while the CPU is saturated
      try (TestCluster.BackendNode second = cluster.backendNode("backend-load-2", 2)) {
        long startedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hogStart);
        System.out.printf("CPU hog: %d busy loops (pids %s) on %d cores; second node up after %d ms under it%n",
            loops, hog.pids(), Runtime.getRuntime().availableProcessors(), startedAfter);
        events = probe.collect(HOG.minusNanos(System.nanoTime() - hogStart));
        busy = hog.busyPercent();
        hog.close();
        Http.await("all four backends listed and none suspect after the hog", SHORT,
            () -> listed().containsAll(first.ids()) && listed().containsAll(second.ids()) && !anySuspect());
        events.addAll(probe.collect(Duration.ofSeconds(1)));
        second.process().terminate(Duration.ofSeconds(30)); // leaves the list at once, so the next test starts clean
        Http.await("the second node's backends gone", SHORT, () -> listed().equals(Set.copyOf(first.ids())));
      }
    }
    Outcome outcome = Outcome.of(events, hogStart);
    System.out.printf("CPU hog for %d s, machine %.0f%% busy: %d suspect flaps %s, %d removes %s (coordinator logged %d suspects)%n",
        HOG.toSeconds(), busy, outcome.flaps().size(), outcome.flaps(), outcome.removes().size(), outcome.removes(),
        coordinator.process().count("silent for \\d+ ms: suspect") - suspectLogsBefore);
    assertEquals(List.of(), outcome.removes(), "no live backend leaves the list under CPU load");
  }

  @Test
  void aCoordinatorFrozenLongerThanTheLivenessTimeoutRemovesNobodyWhenItResumes() throws Exception {
    Http.await("only the first node's backends listed", SHORT, () -> listed().equals(Set.copyOf(first.ids())));
    long stallsBefore = coordinator.process().count("liveness check ran \\d+ ms late");
    List<SseProbe.Arrival> events;
    long frozenAt;
    try (SseProbe probe = stream()) {
      frozenAt = System.nanoTime();
      coordinator.process().signal("STOP");
      try {
        Thread.sleep(FREEZE.toMillis()); // the freeze itself is the point: its length is real time
      } finally {
        coordinator.process().signal("CONT");
      }
      events = probe.collect(Duration.ofSeconds(5));
    }
    Outcome outcome = Outcome.of(events, frozenAt);
    System.out.printf("coordinator frozen %d ms: %d suspect flaps %s, %d removes %s%n",
        FREEZE.toMillis(), outcome.flaps().size(), outcome.flaps(), outcome.removes().size(), outcome.removes());
    assertTrue(coordinator.process().count("liveness check ran \\d+ ms late") > stallsBefore,
        "the coordinator noticed its own stall");
    assertEquals(List.of(), outcome.removes(), "a stall of the coordinator is not the nodes' silence");
    assertTrue(listed().containsAll(first.ids()));
  }

  @Test
  void aNodeWhoseEventLoopsAreAllBusyLongerThanTheLivenessTimeoutStaysListed() throws Exception {
    ClusterNode node = ClusterNode.start(cluster.liteMemberOptions()).await(90, TimeUnit.SECONDS);
    try {
      BackendVerticle backend = new BackendVerticle(new BackendOptions().setPortBase(0).setHost("127.0.0.1"), node, 0);
      node.vertx().deployVerticle(backend).await(30, TimeUnit.SECONDS);
      String id = backend.record().id();
      Http.await("the in-JVM backend listed", SHORT, () -> listed().contains(id));
      List<SseProbe.Arrival> events;
      long blockedAt;
      List<EventExecutor> loops = new ArrayList<>();
      ((VertxInternal) node.vertx()).nettyEventLoopGroup().forEach(loops::add);
      try (SseProbe probe = stream()) {
        // what a burst of handshakes on a cold JVM does for seconds: no loop of the node runs anything else
        CountDownLatch busy = new CountDownLatch(loops.size());
        blockedAt = System.nanoTime();
        for (EventExecutor loop : loops) {
          loop.execute(() -> {
            busy.countDown();
            long until = System.nanoTime() + FREEZE.toNanos();
            while (System.nanoTime() < until) {
              Thread.onSpinWait();
            }
          });
        }
        assertTrue(busy.await(5, TimeUnit.SECONDS), "every event loop of the node is busy");
        events = probe.collect(FREEZE.plusSeconds(2));
      }
      Outcome outcome = Outcome.of(events, blockedAt);
      System.out.printf("node's %d event loops busy for %d ms: %d suspect flaps %s, %d removes %s%n",
          loops.size(), FREEZE.toMillis(), outcome.flaps().size(),
          outcome.flaps(), outcome.removes().size(), outcome.removes());
      assertEquals(List.of(), outcome.removes(), "a live process whose loops are busy is heard on the heartbeat topic");
      assertTrue(listed().contains(id));
    } finally {
      node.close().await(30, TimeUnit.SECONDS);
    }
    Http.await("the in-JVM backend gone", SHORT, () -> listed().equals(Set.copyOf(first.ids())));
  }

  /** What a stream showed: each suspect episode and each removal, with its time after {@code from}. */
  private record Outcome(List<String> flaps, List<String> removes) {

    static Outcome of(List<SseProbe.Arrival> events, long from) {
      List<String> flaps = new ArrayList<>();
      List<String> removes = new ArrayList<>();
      Map<String, Long> suspectSince = new HashMap<>();
      for (SseProbe.Arrival a : events) {
        SseEvent e = a.event();
        JsonObject data = new JsonObject(e.data());
        String id = data.getString("id");
        String at = String.format("+%.1f s", (a.nanos() - from) / 1e9);
        if (e.event().equals("remove")) {
          removes.add(id + " " + data.getString("reason") + " at " + at);
        } else if (e.event().equals("upsert") && data.getBoolean("suspect", false)) {
          suspectSince.putIfAbsent(id, a.nanos());
        } else if (e.event().equals("upsert") && suspectSince.containsKey(id)) {
          long since = suspectSince.remove(id);
          flaps.add(id + " at " + String.format("+%.1f s", (since - from) / 1e9) + " for "
              + TimeUnit.NANOSECONDS.toMillis(a.nanos() - since) + " ms");
        }
      }
      suspectSince.keySet().forEach(id -> flaps.add(id + " still suspect at the end"));
      return new Outcome(flaps, removes);
    }
  }
}
