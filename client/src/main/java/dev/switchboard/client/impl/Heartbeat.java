package dev.switchboard.client.impl;

import dev.switchboard.client.MoveReason;

import java.util.List;

/**
 * The pool's clock work, one timer for every connection: an attempt not welcomed within
 * {@code timeoutMs} fails; a replacement still joining after {@code requestTimeoutMs} takes over with
 * what it has; an open connection silent for its ping interval is pinged, and one whose ping goes
 * unanswered for {@code timeoutMs} fails over ({@code heartbeat-timeout}). A tick that runs more than
 * {@value #STALL_MS} ms after it was due shows that the client itself stood still (a GC pause, an
 * event loop behind its work, a suspended process): that time is not counted against the backends'
 * pongs, which may be sitting unread in the sockets.
 */
final class Heartbeat {

  private final Pool pool;
  private long timer = -1;
  private long every = Long.MAX_VALUE;
  /** When the scheduled tick is due. */
  private long dueAt;

  /** A tick later than this is a stall of the client's own, not timer jitter. */
  static final long STALL_MS = 100;
  private boolean stopped;

  Heartbeat(Pool pool) {
    this.pool = pool;
  }

  void start() {
    schedule();
  }

  void stop() {
    stopped = true;
    pool.clock.cancelTimer(timer);
  }

  /** A connection was welcomed with {@code pingIntervalMs}: tick sooner if it needs it. */
  void welcomed(long pingIntervalMs) {
    if (!stopped && timer != -1 && Math.max(Connection.MIN_PING_INTERVAL_MS, pingIntervalMs) < every) {
      pool.clock.cancelTimer(timer);
      schedule();
    }
  }

  /** Often enough for the shortest ping interval in the pool and half the timeout; at least every 50 ms apart. */
  private void schedule() {
    if (stopped) {
      return;
    }
    long next = Math.min(pool.options.getIntervalMs(), pool.options.getTimeoutMs() / 2);
    for (Connection c : pool.open) {
      next = Math.min(next, c.pingIntervalMs());
    }
    for (Connection c : pool.opening) {
      next = Math.min(next, c.pingIntervalMs());
    }
    every = Math.max(Connection.MIN_PING_INTERVAL_MS, next);
    dueAt = pool.clock.now() + every;
    timer = pool.clock.setTimer(every, () -> {
      tick();
      schedule();
    });
  }

  void tick() {
    long now = pool.clock.now();
    long timeoutMs = pool.options.getTimeoutMs();
    long late = now - dueAt;
    for (Connection c : List.copyOf(pool.opening)) {
      if (c.is(ConnectionState.CONNECTING) && now - c.startedAt > timeoutMs) {
        // a ticket that took too long says nothing about the backend: no report
        pool.attemptFailed(c, (c.dialed ? "no welcome" : "no ticket") + " within " + timeoutMs + " ms", c.dialed);
      } else if (c.is(ConnectionState.JOINING) && now - c.openedAt > pool.options.getRequestTimeoutMs()) {
        pool.joined(c); // rooms that never answered are not worth holding a move up
      }
    }
    for (Connection c : List.copyOf(pool.open)) {
      if (late > STALL_MS) {
        c.stalled(late);
      }
      if (c.pongOverdue(now, timeoutMs)) {
        pool.failover(c, MoveReason.HEARTBEAT_TIMEOUT, "no pong within " + timeoutMs + " ms", false);
      } else {
        c.pingIfIdle(now);
      }
      if (now - c.openedAt >= pool.options.getIntervalMs()) {
        pool.refill.reset(); // a connection that stayed healthy this long resets the backoff
      }
    }
  }
}
