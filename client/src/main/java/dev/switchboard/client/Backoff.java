package dev.switchboard.client;

import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter. The cap is {@code min(maxMs, baseMs × 2^attempt)}; with full jitter
 * (1, the default) the delay is uniform in [0, cap), with jitter j it is uniform in [cap × (1 − j), cap).
 * Pure.
 */
public final class Backoff {

  private Backoff() {
  }

  /** Full jitter. */
  public static long delayMs(int attempt, long baseMs, long maxMs, DoubleSupplier random) {
    return delayMs(attempt, baseMs, maxMs, 1.0, random);
  }

  public static long delayMs(int attempt, long baseMs, long maxMs, double jitter, DoubleSupplier random) {
    double cap = Math.min(maxMs, baseMs * Math.pow(2, Math.min(attempt, 30)));
    return (long) Math.floor(cap * (1 - jitter + jitter * random.getAsDouble()));
  }

  /**
   * How long a client that lost an established connection waits before its first attempt elsewhere:
   * uniform in [0, window), where the window lets the lost backend's {@code displaced} clients reach
   * the {@code survivors} at no more than {@code ratePerBackend} arrivals per second each. A small
   * fleet moves at once; a large one is spread just enough not to storm the survivors.
   */
  public static long spreadMs(int displaced, int survivors, double ratePerBackend, long maxMs, DoubleSupplier random) {
    if (displaced <= 1 || ratePerBackend <= 0) {
      return 0;
    }
    double windowMs = Math.min(maxMs, 1000.0 * displaced / (Math.max(1, survivors) * ratePerBackend));
    return (long) Math.floor(windowMs * random.getAsDouble());
  }
}
