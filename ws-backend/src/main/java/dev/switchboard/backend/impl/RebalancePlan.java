package dev.switchboard.backend.impl;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;

import java.util.Collection;

/**
 * How many connections one backend should keep: its weighted fair share of its service's UP
 * backends. It sheds only when above {@code threshold} × that share, and then down to the share
 * itself, so it does not flap around the threshold. Pure.
 */
public final class RebalancePlan {

  private RebalancePlan() {
  }

  /**
   * The connection count {@code self} should shed down to, or -1 when it is within the threshold.
   *
   * @param records the service's records as the registry holds them (self's count may be stale)
   * @param selfConnections self's live count, which replaces the registry's
   */
  public static int target(BackendRecord self, int selfConnections, Collection<BackendRecord> records, double threshold) {
    long total = selfConnections;
    long weights = self.weight();
    for (BackendRecord r : records) {
      if (!r.id().equals(self.id()) && r.service().equals(self.service()) && r.state() == BackendState.UP) {
        total += r.connections();
        weights += r.weight();
      }
    }
    double share = (double) total * self.weight() / weights;
    if (selfConnections <= threshold * share || selfConnections - share < 1) {
      return -1;
    }
    return (int) Math.ceil(share);
  }
}
