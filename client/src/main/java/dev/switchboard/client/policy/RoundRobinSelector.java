package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;

import java.util.List;
import java.util.function.Predicate;

/** {@link Policy#ROUND_ROBIN}: a counter walks the candidates to the next allowed one and moves past it. */
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
    int n = candidates.size();
    if (n == 0) {
      return null;
    }
    int start = counter % n;
    for (int step = 0; step < n; step++) {
      BackendRecord b = candidates.get((start + step) % n);
      if (allowed.test(b)) {
        counter = (counter + step + 1) & Integer.MAX_VALUE;
        return b;
      }
    }
    return null;
  }
}
