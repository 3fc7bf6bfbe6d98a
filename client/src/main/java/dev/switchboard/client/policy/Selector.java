package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;

import java.util.function.Predicate;

/**
 * Picks backends from one snapshot of the list. Build one per client and snapshot and reuse it for every
 * pick until the list changes: it precomputes what the snapshot allows and round-robin keeps its counter
 * in it. Not thread-safe.
 */
@FunctionalInterface
public interface Selector {

  /**
   * The policy's choice among the candidates that {@code allowed} accepts (e.g. not already in the
   * pool, not the backend just lost), or null when it accepts none; {@code key} matters only to
   * {@link Policy#STICKY}.
   */
  BackendRecord pick(String key, Predicate<BackendRecord> allowed);

  /** The policy's choice among all candidates, or null when there is none. */
  default BackendRecord pick(String key) {
    return pick(key, b -> true);
  }

  /** The policy's choice among all candidates without a key, or null when there is none. */
  default BackendRecord pick() {
    return pick(null);
  }
}
