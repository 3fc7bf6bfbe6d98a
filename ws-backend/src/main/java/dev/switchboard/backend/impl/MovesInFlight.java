package dev.switchboard.backend.impl;

import dev.switchboard.model.DrainReason;

/**
 * A backend's clients that a rebalance asked to move and that may still be on their way: asked and
 * still connected until their move lapses ({@link SessionMove#LAPSE_AFTER_DEADLINES} deadlines after
 * the ask), or lapsed less than a rebalance deadline ago (a late one may still arrive). While any is, the backend's and its service's counts are in flux. Written on the backend's event loop; {@link #any} may be read from any thread.
 */
public final class MovesInFlight {

  private final long deadlineNanos;
  private volatile int moving;
  /** When an asked client's move last lapsed at its deadline (nanoTime); 0: never. */
  private volatile long lapsedAt;

  /** @param deadlineNanos how long a lapsed move still counts (the rebalance deadline) */
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

  /** One asked client's move lapsed with the client still here: no longer counted as moving, but it may arrive late. */
  public void lapsed(long nowNanos) {
    moving--;
    lapsedAt = nowNanos;
  }

  /** A connection closed; counts only if a rebalance asked it, and it had neither stayed nor lapsed. */
  public void closed(SessionMove move) {
    if (move.reason() == DrainReason.REBALANCE && !move.stayed()) {
      moving--;
    }
  }

  /** Whether a move may still be under way at {@code nowNanos}. */
  public boolean any(long nowNanos) {
    long lapsed = lapsedAt;
    return moving > 0 || (lapsed != 0 && nowNanos - lapsed < deadlineNanos);
  }
}
