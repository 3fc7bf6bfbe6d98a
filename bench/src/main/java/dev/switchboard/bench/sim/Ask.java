package dev.switchboard.bench.sim;

import dev.switchboard.backend.impl.SessionMove;
import dev.switchboard.client.MoveHint;
import dev.switchboard.client.MoveReason;

/** A drain frame one backend sent in one round, read as the client reads it. */
record Ask(int backend, MoveHint hint, long askedAtUs) {

  /** When a drain closes a session still there (its deadline), or a rebalance's move lapses (SessionMove). */
  long endUs() {
    long deadlineUs = Math.max(1, hint.deadlineMs()) * 1000;
    return askedAtUs + (hint.reason() == MoveReason.REBALANCE ? deadlineUs * SessionMove.LAPSE_AFTER_DEADLINES : deadlineUs);
  }
}
