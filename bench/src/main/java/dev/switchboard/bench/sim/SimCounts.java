package dev.switchboard.bench.sim;

/**
 * What the simulated clients and backends did, counted over a run: connection attempts (and the ones
 * that went to a dead, unlisted or just-lost backend), failed attempts, planned moves, rebalance asks
 * and what became of them. One thread, like the simulation.
 */
final class SimCounts {

  long attempts;
  long failedAttempts;
  long attemptsToDead;
  long attemptsToUnlisted;
  long attemptsToOwnLost;
  long plannedMoves;
  long askedToMove;
  long declinedMoves;
  long closedAtDeadline;
  int holdDownViolations;

  void attempt(boolean toDead, boolean toUnlisted, boolean toOwnLost) {
    attempts++;
    attemptsToDead += toDead ? 1 : 0;
    attemptsToUnlisted += toUnlisted ? 1 : 0;
    attemptsToOwnLost += toOwnLost ? 1 : 0;
  }

  void failedAttempt() {
    failedAttempts++;
  }

  void plannedMove() {
    plannedMoves++;
  }

  void asked(int count) {
    askedToMove += count;
  }

  void declinedMove() {
    declinedMoves++;
  }

  void closedAtDeadline() {
    closedAtDeadline++;
  }

  void holdDownViolation() {
    holdDownViolations++;
  }
}
