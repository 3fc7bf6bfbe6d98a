package dev.switchboard.backend.impl;

import dev.switchboard.model.WsMessage;

import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * Which of one backend's clients a rebalance asks to move: the oldest that did not move in within the
 * hold-down and were not asked already ({@link ShedPicker}), each to its own target of the allocation;
 * and, when one answers {@code stay}, the next such client in its place. Counts every ask in
 * {@link MovesInFlight}. Confined to the backend's event loop.
 */
public final class RebalanceAsks {

  private final Supplier<Collection<BackendSession>> sessions;
  private final MovesInFlight moves;
  private final long holdDownNanos;

  /** @param sessions the backend's open sessions, in the order they opened */
  public RebalanceAsks(Supplier<Collection<BackendSession>> sessions, MovesInFlight moves, long holdDownNanos) {
    this.sessions = sessions;
    this.moves = moves;
    this.holdDownNanos = holdDownNanos;
  }

  /** Asks up to {@code shed.count()} clients, group k with {@code frames.get(k)}; returns how many were asked. */
  public int ask(RebalancePlan.Shed shed, List<WsMessage.Drain> frames, long nowNanos) {
    List<BackendSession> asked = pick(shed.count(), nowNanos);
    List<List<BackendSession>> groups = ShedPicker.assign(asked, shed.moves());
    for (int k = 0; k < groups.size(); k++) {
      WsMessage.Drain frame = frames.get(k);
      groups.get(k).forEach(s -> s.move().ask(frame));
    }
    moves.asked(asked.size());
    return asked.size();
  }

  /**
   * A client answered {@code frame} with {@code stay}: the next client {@link #ask} would have picked
   * gets the same frame (same targets, a deadline of its own), so the round still moves what it planned.
   * Each client is asked once, so a chain of stays ends.
   */
  public void askInPlace(WsMessage.Drain frame, long nowNanos) {
    List<BackendSession> next = pick(1, nowNanos);
    if (!next.isEmpty()) {
      moves.asked(1);
      next.get(0).move().ask(frame);
    }
  }

  private List<BackendSession> pick(int count, long nowNanos) {
    // one that stayed may be asked again after a hold-down: its other connection may have moved since
    return ShedPicker.pick(List.copyOf(sessions.get()), count, nowNanos, holdDownNanos,
        BackendSession::connectedAtNanos, BackendSession::movedIn, s -> !s.move().askable(nowNanos, holdDownNanos));
  }
}
