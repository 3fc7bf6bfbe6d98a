package dev.switchboard.backend.impl;

import dev.switchboard.model.DrainReason;

/**
 * A backend's clients that a rebalance asked to move and that may still be on their way: asked and
 * still connected, or closed at their deadline less than a rebalance deadline ago (such a client
 * reconnects from scratch, counted nowhere meanwhile). While any is, the backend's and its service's
 * counts are in flux. Written on the backend's event loop; {@link #any} may be read from any thread.
 */
public final class MovesInFlight {

  private final long deadlineNanos;
  private volatile int moving;
  /** When an asked client was last closed at its deadline (nanoTime); 0: never. */
  private volatile long strandedAt;

  /** @param deadlineNanos how long a client closed at its deadline still counts (the rebalance deadline) */
  public MovesInFlight(long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
  }

  /** {@code n} more clients were asked to move. */
  public void asked(int n) {
    moving += n;
  }

  /** One asked client stays open and is no longer on its way (it answered {@code stay}, or a drain replaced the rebalance). */
  public void released() {
    moving--;
  }

  /** A connection closed at {@code nowNanos}; counts only if a rebalance asked it and it had not stayed. */
  public void closed(SessionMove move, long nowNanos) {
    if (move.reason() == DrainReason.REBALANCE && !move.stayed()) {
      moving--;
      if (move.closedAtDeadline()) {
        strandedAt = nowNanos;
      }
    }
  }

  /** Whether a move may still be under way at {@code nowNanos}. */
  public boolean any(long nowNanos) {
    long stranded = strandedAt;
    return moving > 0 || (stranded != 0 && nowNanos - stranded < deadlineNanos);
  }
}
