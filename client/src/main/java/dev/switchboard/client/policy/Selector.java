package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;

/** Picks backends from one snapshot of the list; stateful (round-robin), so one per client and snapshot. */
@FunctionalInterface
public interface Selector {

  /** The next backend, or null when no backend is UP; {@code key} matters only to {@link Policy#STICKY}. */
  BackendRecord pick(String key);

  default BackendRecord pick() {
    return pick(null);
  }
}
