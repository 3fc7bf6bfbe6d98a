package dev.switchboard.bench;

import java.util.Arrays;

/** Percentiles of a set of samples in nanoseconds, reported in milliseconds. */
record Stats(int count, double p50, double p99, double max) {

  static Stats of(long[] nanos, int n) {
    if (n == 0) {
      return new Stats(0, Double.NaN, Double.NaN, Double.NaN);
    }
    long[] sorted = Arrays.copyOf(nanos, n);
    Arrays.sort(sorted);
    return new Stats(n, ms(sorted[index(n, 0.50)]), ms(sorted[index(n, 0.99)]), ms(sorted[n - 1]));
  }

  private static int index(int n, double q) {
    return Math.min(n - 1, (int) Math.ceil(q * n) - 1);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
