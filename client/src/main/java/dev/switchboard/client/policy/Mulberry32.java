package dev.switchboard.client.policy;

import java.util.function.DoubleSupplier;

/**
 * A tiny seeded PRNG (mulberry32) in uint32 arithmetic, so the Java and JavaScript clients draw the
 * same sequence from the same seed: the shared test vectors rely on it. Not for security.
 */
public final class Mulberry32 implements DoubleSupplier {

  private int state;

  public Mulberry32(int seed) {
    this.state = seed;
  }

  /** The next value in [0, 1). */
  @Override
  public double getAsDouble() {
    state += 0x6D2B79F5;
    int t = (state ^ (state >>> 15)) * (1 | state);
    t = (t + ((t ^ (t >>> 7)) * (61 | t))) ^ t;
    return ((t ^ (t >>> 14)) & 0xffffffffL) / 4294967296.0;
  }
}
