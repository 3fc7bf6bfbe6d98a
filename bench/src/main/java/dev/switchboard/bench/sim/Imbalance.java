package dev.switchboard.bench.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The fleet's largest backend over its weighted fair share, as sampled: its value at each of
 * {@link SimResult#CHECKPOINTS_S} after the scenario's event, and when the fleet was last unbalanced
 * (some client not connected, or a backend above the bound).
 */
final class Imbalance {

  private static final long SECOND_US = 1_000_000;

  private final double[] atCheckpoints = new double[SimResult.CHECKPOINTS_S.size()];
  private long lastUnbalancedUs = -1;

  /** One sample at {@code nowUs}, {@code sinceEventUs} after the event: max/mean {@code worst}. */
  void sample(long nowUs, long sinceEventUs, double worst, boolean unbalanced) {
    for (int i = 0; i < atCheckpoints.length; i++) {
      if (sinceEventUs == SimResult.CHECKPOINTS_S.get(i) * SECOND_US) {
        atCheckpoints[i] = worst;
      }
    }
    if (unbalanced) {
      lastUnbalancedUs = nowUs;
    }
  }

  /** max/mean at each checkpoint, to four decimals. */
  List<Double> checkpoints() {
    List<Double> rounded = new ArrayList<>();
    for (double v : atCheckpoints) {
      rounded.add(Math.round(v * 10_000) / 10_000.0);
    }
    return rounded;
  }

  /** Milliseconds from the event until balanced for good (0: never unbalanced; -1: still unbalanced at {@code endUs}). */
  long convergedMs(long eventUs, long endUs, long sampleUs) {
    return lastUnbalancedUs < 0 ? 0 : lastUnbalancedUs >= endUs ? -1 : (lastUnbalancedUs + sampleUs - eventUs) / 1000;
  }
}
