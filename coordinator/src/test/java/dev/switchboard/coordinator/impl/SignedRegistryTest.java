package dev.switchboard.coordinator.impl;

import dev.switchboard.cluster.ClusterSigner;
import dev.switchboard.coordinator.CoordinatorOptions;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A coordinator with a cluster secret lists only records signed with it, and shows clients no signature. */
class SignedRegistryTest {

  private static final String SECRET = "0123456789abcdef-cluster";

  private final List<SseEvent> emitted = new ArrayList<>();
  private final BackendView view = new BackendView("ep", 100);
  private final CoordinatorMetrics metrics = new CoordinatorMetrics(view, new FanOut(null, view, 2_000, io.vertx.core.buffer.Buffer.buffer(), 10));
  private final ClusterSigner member = ClusterSigner.of(SECRET);
  private final ViewReconciler reconciler = new ViewReconciler(new CoordinatorOptions(), view, metrics,
      new ViewReconciler.Cluster() {
        @Override
        public Set<String> members() {
          return Set.of("n1");
        }

        @Override
        public Future<Void> delete(String id) {
          return Future.succeededFuture();
        }
      }, ClusterSigner.of(SECRET), System::nanoTime, e -> emitted.addAll(BackendViewTest.parse(e.frame())));

  private static BackendRecord record(String id, String url) {
    return new BackendRecord(id, "chat", url, "n1", "local", BackendState.UP, 0, 10, 1000, 1L);
  }

  private void put(String key, String stored) {
    reconciler.apply(new RegistryChange.Put(key, stored));
  }

  private double invalidTotal() {
    return metrics.scrape().lines().filter(l -> l.startsWith("switchboard_records_invalid_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void aSignedRecordIsListedWithoutItsSignature() {
    put("good-0", member.sealRecord(record("good-0", "ws://127.0.0.1:9000/ws").toJson()));
    assertEquals(1, emitted.size());
    JsonObject data = new JsonObject(emitted.get(0).data());
    assertEquals("good-0", data.getString("id"));
    assertFalse(data.containsKey(ClusterSigner.SIG), data.encode());
    assertFalse(view.snapshotFrame(null).toString().contains("\"sig\""));
  }

  @Test
  void unsignedForgedAndTamperedRecordsAreNeverListedAndCountedOncePerKey() {
    BackendRecord evil = record("evil-0", "ws://attacker.example:80/ws");
    put("evil-0", evil.toJson().encode());
    put("evil-0", evil.toJson().encode());
    put("evil-1", ClusterSigner.of("a wrong secret, long enough").sealRecord(record("evil-1", "ws://attacker.example:80/ws").toJson()));
    JsonObject tampered = new JsonObject(member.sealRecord(record("evil-2", "ws://127.0.0.1:9000/ws").toJson()))
        .put("url", "ws://attacker.example:80/ws");
    put("evil-2", tampered.encode());
    assertEquals(List.of(), emitted);
    assertTrue(reconciler.registry().isEmpty());
    assertEquals(3.0, invalidTotal(), "once per key, however often it is written");
  }

  @Test
  void aListedBackendWhoseEntryIsOverwrittenUnsignedLeavesAsInvalid() {
    put("good-0", member.sealRecord(record("good-0", "ws://127.0.0.1:9000/ws").toJson()));
    emitted.clear();
    put("good-0", record("good-0", "ws://attacker.example:80/ws").toJson().encode());
    assertEquals(1, emitted.size());
    assertEquals("remove", emitted.get(0).event());
    assertEquals("invalid", new JsonObject(emitted.get(0).data()).getString("reason"));
  }
}
