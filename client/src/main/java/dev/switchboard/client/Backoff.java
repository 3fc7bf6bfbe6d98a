package dev.switchboard.client;

import java.util.function.DoubleSupplier;

/** Exponential backoff with full jitter: a random delay in [0, min(maxMs, baseMs × 2^attempt)). Pure. */
public final class Backoff {

  private Backoff() {
  }

  public static long delayMs(int attempt, long baseMs, long maxMs, DoubleSupplier random) {
    double cap = Math.min(maxMs, baseMs * Math.pow(2, Math.min(attempt, 30)));
    return (long) Math.floor(random.getAsDouble() * cap);
  }
}
