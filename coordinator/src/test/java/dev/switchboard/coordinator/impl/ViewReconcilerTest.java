package dev.switchboard.coordinator.impl;

import dev.switchboard.coordinator.CoordinatorOptions;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The listing rule without HTTP or Hazelcast: an injected clock, a fake cluster and probe, the view's events as text. */
class ViewReconcilerTest {

  private static final long CHECK_MS = 100;

  private final Set<String> members = new HashSet<>(Set.of("n1", "n2"));
  private final List<String> deleted = new ArrayList<>();
  private final List<SseEvent> emitted = new ArrayList<>();
  private final BackendView view = new BackendView("ep", 100);
  private final CoordinatorMetrics metrics = new CoordinatorMetrics(view, new FanOut(null, view, 2_000, io.vertx.core.buffer.Buffer.buffer(), 10));
  /** Probes asked for, by backend id, in order; the test completes them. */
  private final Map<String, Promise<Void>> probes = new LinkedHashMap<>();
  /** The injected clock, in ms (the reconciler reads nanoseconds). */
  private long nowMs;
  private final ViewReconciler reconciler = new ViewReconciler(
      new CoordinatorOptions().setSuspectMs(1_000).setLivenessTimeoutMs(2_500).setLivenessCheckMs(CHECK_MS)
          .setQuarantineMs(5_000),
      view, metrics, new ViewReconciler.Cluster() {
        @Override
        public Set<String> members() {
          return Set.copyOf(members);
        }

        @Override
        public Future<Void> delete(String id) {
          deleted.add(id);
          return Future.succeededFuture();
        }
      }, record -> {
        Promise<Void> probe = Promise.promise();
        probes.put(record.id(), probe);
        return probe.future();
      }, () -> TimeUnit.MILLISECONDS.toNanos(nowMs), e -> emitted.addAll(BackendViewTest.parse(e.frame())));

  private static BackendRecord record(String id, String node) {
    return new BackendRecord(id, "chat", "ws://127.0.0.1:9000/ws", node, "local", BackendState.UP, 0, 10, 100, 1L);
  }

  private void put(BackendRecord record) {
    reconciler.apply(new RegistryChange.Put(record.id(), record.toJson().encode()));
  }

  /** Lets time pass until {@code untilMs}, ticking every check period; {@code heard} nodes heartbeat every 500 ms. */
  private void runUntil(long untilMs, String... heard) {
    while (nowMs < untilMs) {
      nowMs += CHECK_MS;
      if (nowMs % 500 == 0) {
        for (String node : heard) {
          reconciler.heard(node);
        }
      }
      reconciler.tick();
    }
  }

  /** The view's changes since the last call, as {@code "upsert a"}, {@code "upsert a suspect"} or {@code "remove a expired"}. */
  private List<String> changes() {
    List<String> out = new ArrayList<>();
    for (SseEvent e : emitted) {
      JsonObject data = new JsonObject(e.data());
      String detail = e.event().equals("remove") ? " " + data.getString("reason")
          : data.getBoolean("suspect", false) ? " suspect" : "";
      out.add(e.event() + " " + data.getString("id") + detail);
    }
    emitted.clear();
    return out;
  }

  @Test
  void aSilentNodeIsFlaggedSuspectThenRemovedAsExpiredAndRestoredWhenHeardAgain() {
    put(record("a", "n1"));
    put(record("b", "n2"));
    assertEquals(List.of("upsert a", "upsert b"), changes());
    runUntil(1_000, "n2");
    assertEquals(List.of(), changes(), "silent for 1 s: not past the suspect deadline yet");
    runUntil(1_100, "n2");
    assertEquals(List.of("upsert a suspect"), changes());
    runUntil(2_500, "n2");
    assertEquals(List.of(), changes(), "suspect, not expired yet");
    runUntil(2_600, "n2");
    assertEquals(List.of("remove a expired"), changes());
    reconciler.heard("n1");
    assertEquals(List.of("upsert a"), changes());
  }

  @Test
  void aNodesStatusCarriesItsHealthSilenceAndTheStartTimeItsHeartbeatsSay() {
    put(record("a", "n1"));
    reconciler.heard("n1", 1_700_000_000_000L);
    reconciler.heard("stranger", 42); // hosts no record: not kept
    runUntil(1_200);
    NodeTable.NodeStatus status = reconciler.nodeStatus("n1");
    assertEquals(NodeLiveness.State.SUSPECT, status.health());
    assertEquals(1_200, status.silentMs());
    assertEquals(1_700_000_000_000L, status.startedAt());
    assertEquals(-1, reconciler.nodeStatus("stranger").startedAt());
    reconciler.apply(new RegistryChange.NodeLeft("n1"));
    assertEquals(-1, reconciler.nodeStatus("n1").startedAt(), "forgotten with the node");
  }

  @Test
  void aSuspectNodeHeardAgainIsListedWithoutTheFlagAndNeverRemoved() {
    put(record("a", "n1"));
    changes();
    runUntil(2_000);
    assertEquals(List.of("upsert a suspect"), changes());
    reconciler.heard("n1");
    assertEquals(List.of("upsert a"), changes());
    runUntil(10_000, "n1");
    assertEquals(List.of(), changes());
  }

  @Test
  void aRecordWrittenWhileItsNodeIsSuspectIsListedSuspect() {
    put(record("a", "n1"));
    runUntil(1_500);
    changes();
    put(record("a", "n1").withConnections(3));
    assertEquals(List.of("upsert a suspect"), changes());
    assertEquals(3, view.get("a").connections());
  }

  @Test
  void aBackendCannotMarkItselfSuspect() {
    put(record("a", "n1").withSuspect(true));
    assertEquals(List.of("upsert a"), changes());
    assertFalse(reconciler.registry().get("a").suspect());
  }

  @Test
  void aCoordinatorStallLongerThanTheTimeoutRemovesNobody() {
    put(record("a", "n1"));
    put(record("b", "n2"));
    runUntil(1_000, "n1", "n2");
    changes();
    nowMs += 5_000; // the event loop did not run for 5 s: no check, no heartbeat
    reconciler.tick();
    reconciler.heard("n1");
    reconciler.heard("n2");
    runUntil(10_000, "n1", "n2");
    assertEquals(List.of(), changes());
  }

  @Test
  void aRecordWrittenWhileItsNodeIsExpiredIsListedOnlyOnceTheNodeIsHeard() {
    put(record("a", "n1"));
    runUntil(3_000);
    changes();
    put(record("a", "n1").withConnections(3));
    assertEquals(List.of(), changes());
    reconciler.heard("n1");
    assertEquals(List.of("upsert a"), changes());
    assertEquals(3, view.get("a").connections());
  }

  @Test
  void aNodeThatLeavesWhileSuspectLosesItsBackendsAtOnce() {
    put(record("a", "n1"));
    runUntil(1_500);
    changes();
    members.remove("n1");
    reconciler.apply(new RegistryChange.NodeLeft("n1"));
    assertEquals(List.of("remove a node-left"), changes());
  }

  @Test
  void metricsCountSuspectBackendsApartAndTimeTheirDetection() {
    put(record("a", "n1"));
    put(record("b", "n2"));
    runUntil(1_500, "n2");
    String scrape = metrics.scrape();
    assertTrue(scrape.contains("switchboard_backends{state=\"SUSPECT\"} 1.0"), scrape);
    assertTrue(scrape.contains("switchboard_backends{state=\"UP\"} 1.0"), scrape);
    assertTrue(scrape.contains("switchboard_detection_latency_seconds_count{reason=\"suspect\"} 1"), scrape);
    assertTrue(scrape.contains("switchboard_detection_latency_seconds_count{reason=\"expired\"} 0"), scrape);
  }

  @Test
  void aNodeThatLeavesLosesItsBackendsAtOnceAndTheirEntriesAreDeleted() {
    put(record("a", "n1"));
    put(record("a2", "n1"));
    put(record("b", "n2"));
    changes();
    members.remove("n1");
    reconciler.apply(new RegistryChange.NodeLeft("n1"));
    assertEquals(List.of("remove a node-left", "remove a2 node-left"), changes().stream().sorted().toList());
    assertEquals(List.of("a", "a2"), deleted.stream().sorted().toList());
    assertFalse(reconciler.registry().containsKey("a"));
  }

  @Test
  void anEntryRemovedAfterItsNodeLeftTheClusterSaysNodeLeft() {
    put(record("a", "n1"));
    put(record("b", "n2"));
    changes();
    members.remove("n1");
    reconciler.apply(new RegistryChange.Removed("a", "deregistered"));
    reconciler.apply(new RegistryChange.Removed("b", "deregistered"));
    assertEquals(List.of("remove a node-left", "remove b deregistered"), changes());
  }

  @Test
  void recordsOfNodesThatLeftBeforeTheLoadAreDroppedAfterIt() {
    put(record("a", "gone"));
    put(record("b", "n2"));
    changes();
    reconciler.dropDepartedNodes();
    assertEquals(List.of("remove a node-left"), changes());
    assertEquals(List.of("a"), deleted);
  }

  @Test
  void anEntryThatTurnsInvalidRemovesItsBackend() {
    put(record("a", "n1"));
    changes();
    reconciler.apply(new RegistryChange.Put("a", "{not json"));
    reconciler.apply(new RegistryChange.Put("b", record("not-b", "n1").toJson().encode()));
    assertEquals(List.of("remove a invalid"), changes());
    assertTrue(reconciler.registry().isEmpty());
  }

  private void reportedByThree(String id) {
    reconciler.report(id, "10.0.0.1");
    reconciler.report(id, "10.0.0.2");
    reconciler.report(id, "10.0.0.3");
  }

  @Test
  void threeReportersGetTheBackendProbedAndAFailedProbeQuarantinesItUntilItsQuarantineEnds() {
    put(record("a", "n1"));
    changes();
    assertEquals(OutlierDetector.Verdict.COUNTED, reconciler.report("a", "10.0.0.1"));
    assertEquals(OutlierDetector.Verdict.COUNTED, reconciler.report("a", "10.0.0.2"));
    assertEquals(OutlierDetector.Verdict.PROBE, reconciler.report("a", "10.0.0.3"));
    assertEquals(List.of("a"), List.copyOf(probes.keySet()));
    assertEquals(List.of(), changes(), "listed while the probe runs");
    probes.get("a").fail("connection refused");
    assertEquals(List.of("remove a unreachable"), changes());
    assertTrue(reconciler.isQuarantined("a"));
    put(record("a", "n1").withConnections(1));
    runUntil(4_900, "n1");
    assertEquals(List.of(), changes(), "hidden while quarantined, whatever its backend writes");
    runUntil(5_000, "n1");
    assertEquals(List.of("upsert a"), changes());
    assertEquals(OutlierDetector.Verdict.IGNORED, reconciler.report("ghost", "10.0.0.1"), "unknown backends are not counted");
  }

  @Test
  void aBackendThatAnswersTheProbeStaysListedHoweverManyReportIt() {
    put(record("a", "n1"));
    changes();
    reportedByThree("a");
    probes.remove("a").complete();
    assertEquals(List.of(), changes());
    assertFalse(reconciler.isQuarantined("a"));
    assertEquals(0, reconciler.reporters("a"), "a passed probe clears the reports");
    for (int i = 0; i < 20; i++) {
      reconciler.report("a", "10.0.1." + i);
    }
    assertTrue(probes.isEmpty(), "no second probe right after a passed one");
    assertEquals(List.of(), changes());
  }

  @Test
  void aProbeThatEndsAfterItsBackendLeftChangesNothing() {
    put(record("a", "n1"));
    reportedByThree("a");
    reconciler.apply(new RegistryChange.Removed("a", "deregistered"));
    changes();
    probes.get("a").fail("gone");
    assertEquals(List.of(), changes());
    assertFalse(reconciler.isQuarantined("a"));
  }

  @Test
  void aQuarantineThatEndsWhileItsNodeIsSuspectListsTheBackendSuspect() {
    put(record("a", "n1"));
    reportedByThree("a");
    probes.get("a").fail("timeout");
    runUntil(3_500, "n1");
    changes();
    runUntil(5_000); // suspect from 4,600 on, while still hidden
    assertEquals(List.of("upsert a suspect"), changes());
  }
}
