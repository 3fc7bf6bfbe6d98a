package dev.switchboard.client.impl;

import dev.switchboard.client.Backoff;

import java.util.function.DoubleSupplier;

/**
 * The pool's one retry timer: after failed attempts it waits a jittered exponential backoff; after a
 * lost connection, the loss's spread window instead. Single-threaded (the client's context).
 */
final class RefillTimer {

  private final Clock clock;
  private final Runnable refill;
  private final long baseMs;
  private final long maxMs;
  private final double jitter;
  private final DoubleSupplier random;
  private long id = -1;
  private int attempt;

  RefillTimer(Clock clock, Runnable refill, long baseMs, long maxMs, double jitter, DoubleSupplier random) {
    this.clock = clock;
    this.refill = refill;
    this.baseMs = baseMs;
    this.maxMs = maxMs;
    this.jitter = jitter;
    this.random = random;
  }

  boolean pending() {
    return id != -1;
  }

  void cancel() {
    if (id != -1) {
      clock.cancelTimer(id);
      id = -1;
    }
  }

  /** After a failed attempt: the next backoff step, unless a retry is already due. */
  void backoff() {
    if (id == -1) {
      schedule(Backoff.delayMs(attempt++, baseMs, maxMs, jitter, random));
    }
  }

  /** After a loss: a retry after {@code delayMs} (at once below 1), replacing any backoff under way. */
  void after(long delayMs) {
    cancel();
    if (delayMs < 1) {
      refill.run();
    } else {
      schedule(delayMs);
    }
  }

  /** A connection stayed healthy a whole interval: the backoff starts over. */
  void reset() {
    attempt = 0;
  }

  private void schedule(long delayMs) {
    id = clock.setTimer(Math.max(1, delayMs), () -> {
      id = -1;
      refill.run();
    });
  }
}
