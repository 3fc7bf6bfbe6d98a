package dev.switchboard.backend.impl;

/**
 * A token bucket: holds up to {@code burst} tokens, refilled at {@code perSecond}. Pure and
 * clock-free (callers pass {@link System#nanoTime()}); confined to one event loop.
 */
public final class TokenBucket {

  private final double burst;
  private final double perNano;
  private double tokens;
  private long last;

  public TokenBucket(double burst, double perSecond, long now) {
    if (burst < 1 || perSecond <= 0) {
      throw new IllegalArgumentException("burst must be >= 1 and perSecond > 0, got " + burst + ", " + perSecond);
    }
    this.burst = burst;
    this.perNano = perSecond / 1e9;
    this.tokens = burst;
    this.last = now;
  }

  /** Takes one token if there is one. */
  public boolean tryTake(long now) {
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
