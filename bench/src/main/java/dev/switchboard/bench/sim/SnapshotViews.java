package dev.switchboard.bench.sim;

import dev.switchboard.client.policy.Policy;
import dev.switchboard.client.policy.Selector;
import dev.switchboard.model.BackendRecord;

import java.util.HashMap;
import java.util.Map;

/** What the simulated clients derive from each list snapshot, made once per snapshot: backends by id, and selectors. */
final class SnapshotViews {

  private final Simulation sim;
  private final Policy policy;
  private Map<String, BackendRecord> byId = new HashMap<>();
  private long byIdEpoch = -1;
  private final Map<Integer, Selector> ownSelectors = new HashMap<>();
  private int ownSelectorsEpoch = -1;

  SnapshotViews(Simulation sim, Policy policy) {
    this.sim = sim;
    this.policy = policy;
  }

  Map<String, BackendRecord> byId() {
    if (byIdEpoch != sim.epoch()) {
      byId = new HashMap<>();
      sim.list().forEach(b -> byId.put(b.id(), b));
      byIdEpoch = sim.epoch();
    }
    return byId;
  }

  /**
   * Client {@code c}'s selector over the current list. Random and least-loaded keep no per-client state,
   * so every client shares the snapshot's one; round-robin keeps a counter, so a client gets its own, kept
   * while it has an attempt in flight or failing (the picks that may come again within one snapshot).
   */
  Selector selector(int c) {
    if (policy != Policy.ROUND_ROBIN) {
      return sim.sharedSelector();
    }
    if (ownSelectorsEpoch != sim.epoch()) {
      ownSelectors.clear();
      ownSelectorsEpoch = sim.epoch();
    }
    return ownSelectors.computeIfAbsent(c, k -> policy.selector(sim.list(), sim.policyRandom()));
  }

  /** Client {@code c}'s attempt ended: its own selector is not kept (it picks anew from the next one). */
  void forget(int c) {
    ownSelectors.remove(c);
  }
}
