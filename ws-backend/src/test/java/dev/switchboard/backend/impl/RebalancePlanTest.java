package dev.switchboard.backend.impl;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RebalancePlanTest {

  static BackendRecord backend(String id, int connections, int weight, BackendState state) {
    return new BackendRecord(id, "chat", "ws://h:1/ws", "n", "local", state, connections, 10_000, weight, 1);
  }

  @Test
  void afterScaleOutTheLoadedBackendShedsDownToItsShare() {
    BackendRecord self = backend("a", 0, 100, BackendState.UP);
    List<BackendRecord> all = List.of(self, backend("b", 0, 100, BackendState.UP), backend("c", 0, 100, BackendState.UP),
        backend("d", 0, 100, BackendState.UP));
    assertEquals(100, RebalancePlan.target(self, 400, all, 1.10));
  }

  @Test
  void withinTheThresholdNothingMoves() {
    BackendRecord self = backend("a", 0, 100, BackendState.UP);
    List<BackendRecord> all = List.of(self, backend("b", 100, 100, BackendState.UP), backend("c", 100, 100, BackendState.UP));
    assertEquals(-1, RebalancePlan.target(self, 110, all, 1.10), "110 vs share 103.3 is under 1.10x");
    assertEquals(-1, RebalancePlan.target(self, 1, List.of(self, backend("b", 0, 100, BackendState.UP)), 1.10),
        "one connection over an empty peer is not worth moving");
  }

  @Test
  void weightsSetTheShareAndDrainingPeersDoNotCount() {
    BackendRecord self = backend("a", 0, 100, BackendState.UP);
    List<BackendRecord> all = List.of(self, backend("heavy", 0, 300, BackendState.UP),
        backend("leaving", 500, 100, BackendState.DRAINING));
    assertEquals(100, RebalancePlan.target(self, 400, all, 1.10), "a weight-100 peer of a weight-300 one gets a quarter");
  }

  @Test
  void theOwnLiveCountReplacesTheStaleRegistryCount() {
    BackendRecord stale = backend("a", 9_000, 100, BackendState.UP);
    assertEquals(-1, RebalancePlan.target(stale, 10, List.of(stale, backend("b", 10, 100, BackendState.UP)), 1.10));
  }
}
