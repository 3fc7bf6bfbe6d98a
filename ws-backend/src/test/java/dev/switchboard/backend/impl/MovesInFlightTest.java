package dev.switchboard.backend.impl;

import dev.switchboard.model.WsMessage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a backend's rebalance moves are under way: asked and connected, or lapsed at the deadline a little while. */
class MovesInFlightTest {

  private static final long DEADLINE = 2_000_000_000L;

  /** A move whose deadline fires at once (at 1,000 ns) when {@code deadlineAtOnce}, else never. */
  private static SessionMove move(boolean deadlineAtOnce) {
    boolean[] closed = {false};
    return new SessionMove(new SessionMove.Timers() {
      @Override
      public long set(long delayMs, Runnable task) {
        if (deadlineAtOnce) {
          task.run();
        }
        return 1;
      }

      @Override
      public void cancel(long id) {
      }

      @Override
      public long nanoTime() {
        return 1_000;
      }
    }, new SessionMove.Socket() {
      @Override
      public void send(WsMessage.Drain frame) {
      }

      @Override
      public boolean isClosed() {
        return closed[0];
      }

      @Override
      public void close(short code, String reason) {
        closed[0] = true;
      }
    });
  }

  @Test
  void anAskedClientIsInFlightUntilItLeavesOrStays() {
    MovesInFlight moves = new MovesInFlight(DEADLINE);
    SessionMove leaves = move(false);
    SessionMove stays = move(false).releaseHandler(moves::released);
    leaves.ask(WsMessage.Drain.rebalance(2_000, List.of()));
    stays.ask(WsMessage.Drain.rebalance(2_000, List.of()));
    moves.asked(2);
    assertTrue(moves.any(0));
    stays.stay(0);
    assertTrue(moves.any(0), "one is still on its way");
    moves.closed(leaves);
    moves.closed(stays); // it stayed: its close is no move
    assertFalse(moves.any(30));
  }

  @Test
  void aMoveThatLapsedAtItsDeadlineCountsForOneDeadlineMoreAndItsLaterCloseIsNoMove() {
    MovesInFlight moves = new MovesInFlight(DEADLINE);
    moves.asked(1);
    SessionMove lapsing = move(true).lapseHandler(() -> moves.lapsed(1_000));
    lapsing.ask(WsMessage.Drain.rebalance(2_000, List.of()));
    assertTrue(lapsing.lapsed());
    assertTrue(moves.any(1_000 + DEADLINE - 1), "a late mover may still arrive");
    assertFalse(moves.any(1_000 + DEADLINE));
    moves.closed(lapsing); // it arrived late after all: counted once, at the lapse
    assertFalse(moves.any(1_000 + DEADLINE));
  }

  @Test
  void aClosedConnectionNoRebalanceAskedIsNoMove() {
    MovesInFlight moves = new MovesInFlight(DEADLINE);
    SessionMove drained = move(false);
    drained.ask(new WsMessage.Drain(10_000));
    moves.closed(drained);
    moves.closed(move(false));
    assertFalse(moves.any(7));
  }
}
