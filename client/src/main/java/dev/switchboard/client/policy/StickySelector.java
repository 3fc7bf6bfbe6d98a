package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@link Policy#STICKY}: the key's rendezvous order walked past disallowed candidates and past any
 * candidate over the load bound; the mean load is over all candidates of the snapshot.
 */
final class StickySelector implements Selector {

  private final List<BackendRecord> candidates;
  private final double mean;

  StickySelector(List<BackendRecord> candidates) {
    this.candidates = candidates;
    long total = 0;
    for (BackendRecord b : candidates) {
      total += b.connections();
    }
    this.mean = candidates.isEmpty() ? 0 : (double) total / (double) candidates.size();
  }

  @Override
  public BackendRecord pick(String key, Predicate<BackendRecord> allowed) {
    String k = key == null ? "" : key;
    List<BackendRecord> order = new ArrayList<>(candidates);
    order.sort(Comparator.comparingLong((BackendRecord b) -> -Policy.rendezvousHash(k, b.id())).thenComparing(BackendRecord::id));
    BackendRecord first = null;
    for (BackendRecord b : order) {
      if (!allowed.test(b)) {
        continue;
      }
      if (b.connections() <= Policy.STICKY_LOAD_BOUND * mean || b.connections() <= mean + Policy.STICKY_MIN_EXCESS) {
        return b;
      }
      if (first == null) {
        first = b;
      }
    }
    // every allowed candidate is over the bound: the key's first
    return first;
  }
}
