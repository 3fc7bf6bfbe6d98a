package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@link Policy#ROUND_ROBIN}: a counter indexes the ALLOWED candidates ({@code counter mod |allowed|}, in id
 * order) and moves on by one. Indexing the allowed subset, rather than walking the whole list to the
 * next allowed one, keeps a filtered pick uniform over a fleet of clients: walking would favour the
 * allowed backend that follows the longest run of disallowed ones.
 */
final class RoundRobinSelector implements Selector {

  private final List<BackendRecord> candidates;
  private int counter;

  /** {@code random} in [0, 1) sets the starting offset, so clients built together do not start in step. */
  RoundRobinSelector(List<BackendRecord> candidates, double random) {
    this.candidates = candidates;
    // through long, so an out-of-range draw wraps as JavaScript's `| 0` does instead of saturating
    this.counter = (int) (long) Math.floor(random * 2147483648.0) & Integer.MAX_VALUE;
  }

  @Override
  public BackendRecord pick(String key, Predicate<BackendRecord> allowed) {
    List<BackendRecord> open = new ArrayList<>(candidates.size());
    for (BackendRecord b : candidates) {
      if (allowed.test(b)) {
        open.add(b);
      }
    }
    if (open.isEmpty()) {
      return null;
    }
    BackendRecord chosen = open.get(counter % open.size());
    counter = (counter + 1) & Integer.MAX_VALUE;
    return chosen;
  }
}
