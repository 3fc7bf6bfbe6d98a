package dev.switchboard.bench.sim;

import java.util.List;

/**
 * What one simulated run measured. Loads are the backends' true counts (not the published ones); "after"
 * is virtual time after the event.
 *
 * @param maxOverMean the largest backend's load over its weighted fair share, at each of {@link #CHECKPOINTS_S}
 * @param convergedMs how long after the event until every client is connected and no backend holds more
 *     than the rebalance threshold × its share, for good (-1: not within the run)
 * @param minMoves Σ max(0, L_i − share_i) right after the event: the fewest clients that must change backend
 * @param plannedMoves moves asked by a rebalance and done (make-before-break)
 * @param failovers clients that lost their backend (killed, or closed at a rebalance deadline) and reconnected
 * @param clientsMovedTwice clients that changed backend more than once after the event
 * @param peakArrivalsPerSecond most new connections one backend accepted in one second after the event
 * @param peakArrivalsPer100Ms the same in 100 ms (a burst shorter than a second hides in the one-second figure)
 * @param affected clients whose backend was killed
 * @param reconnectMaxMs from the kill until the last affected client was connected again (-1: not a kill, or not all)
 * @param attemptsToDead connection attempts to a killed backend after the kill
 * @param attemptsToUnlisted attempts to a backend the list no longer held (dropped, or never listed)
 * @param attemptsToOwnLost attempts to the very backend the client had just lost (killed, or closed it at a
 *     rebalance deadline), which the client means never to try again while another is listed
 * @param holdDownViolations clients asked to move less than the hold-down after they last changed backend
 */
public record SimResult(
    Scenario scenario,
    String policy,
    int clients,
    int backendsBefore,
    int backendsAfter,
    List<Double> maxOverMean,
    long convergedMs,
    long minMoves,
    long plannedMoves,
    long failovers,
    int clientsMoved,
    int clientsMovedTwice,
    int peakArrivalsPerSecond,
    int peakArrivalsPer100Ms,
    int affected,
    long reconnectMaxMs,
    long attempts,
    long failedAttempts,
    long attemptsToDead,
    long attemptsToUnlisted,
    long attemptsToOwnLost,
    long askedToMove,
    long declinedMoves,
    long closedAtDeadline,
    int holdDownViolations,
    int unconnectedAtEnd,
    long events,
    long wallMs) {

  /** Seconds after the event at which {@link #maxOverMean} is sampled. */
  public static final List<Integer> CHECKPOINTS_S = List.of(1, 5, 10, 30, 60);

  /** Everything but the wall time: two runs with the same config must agree on it. */
  public String figures() {
    String all = toString();
    return all.substring(0, all.lastIndexOf(", wallMs="));
  }
}
