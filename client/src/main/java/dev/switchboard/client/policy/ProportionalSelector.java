package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;

import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * Draws an allowed candidate with probability proportional to its share ({@link Policy#RANDOM}: its
 * weight; {@link Policy#LEAST_LOADED}: its headroom), or to its weight when no allowed candidate has a
 * positive share. One draw per pick: {@code r = random × Σ shares}, walked in id order.
 */
final class ProportionalSelector implements Selector {

  private final List<BackendRecord> candidates;
  private final double[] shares;
  private final double[] weights;
  private final DoubleSupplier random;

  private ProportionalSelector(List<BackendRecord> candidates, double[] shares, double[] weights, DoubleSupplier random) {
    this.candidates = candidates;
    this.shares = shares;
    this.weights = weights;
    this.random = random;
  }

  /** Uniform by weight. */
  static ProportionalSelector byWeight(List<BackendRecord> candidates, DoubleSupplier random) {
    double[] weights = weights(candidates);
    return new ProportionalSelector(candidates, weights, weights, random);
  }

  /**
   * By headroom, computed over all candidates of the snapshot: with W = Σ weight, T = Σ connections,
   * n candidates and a burst B = T + n × {@link Policy#LEAST_LOADED_NOISE}, target = weight × (T + B) / W and
   * headroom = min(max(0, target − connections), capacity − connections).
   */
  static ProportionalSelector byHeadroom(List<BackendRecord> candidates, DoubleSupplier random) {
    long totalWeight = 0;
    long total = 0;
    for (BackendRecord b : candidates) {
      totalWeight += b.weight();
      total += b.connections();
    }
    // assume a burst as large as the current population, plus a floor per backend below which a lead
    // is noise (loads are reported about once a second; a cold start reports a few connections each)
    long burst = total + (long) candidates.size() * Policy.LEAST_LOADED_NOISE;
    double[] headroom = new double[candidates.size()];
    for (int i = 0; i < headroom.length; i++) {
      BackendRecord b = candidates.get(i);
      double target = (double) b.weight() * (double) (total + burst) / (double) totalWeight;
      headroom[i] = Math.min(Math.max(0.0, target - b.connections()), (double) (b.capacity() - b.connections()));
    }
    return new ProportionalSelector(candidates, headroom, weights(candidates), random);
  }

  private static double[] weights(List<BackendRecord> candidates) {
    double[] weights = new double[candidates.size()];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = candidates.get(i).weight();
    }
    return weights;
  }

  @Override
  public BackendRecord pick(String key, Predicate<BackendRecord> allowed) {
    int n = candidates.size();
    boolean[] ok = new boolean[n];
    boolean any = false;
    double shareSum = 0;
    double weightSum = 0;
    for (int i = 0; i < n; i++) {
      if (allowed.test(candidates.get(i))) {
        ok[i] = true;
        any = true;
        shareSum += shares[i];
        weightSum += weights[i];
      }
    }
    if (!any) {
      return null;
    }
    double[] by = shareSum > 0 ? shares : weights;
    double r = random.getAsDouble() * (shareSum > 0 ? shareSum : weightSum);
    int last = -1;
    for (int i = 0; i < n; i++) {
      if (!ok[i] || by[i] <= 0) {
        continue;
      }
      if (r < by[i]) {
        return candidates.get(i);
      }
      r -= by[i];
      last = i;
    }
    // rounding can leave r just above the last share
    return candidates.get(last);
  }
}
