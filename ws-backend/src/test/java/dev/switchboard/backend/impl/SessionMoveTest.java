package dev.switchboard.backend.impl;

import dev.switchboard.model.DrainReason;
import dev.switchboard.model.WsMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SessionMove} on fake timers and a fake socket: who is closed at the deadline, who stays, who is asked again. */
class SessionMoveTest {

  private static final long HOLD_DOWN = 30_000_000_000L;

  /** Timers fired by hand, by id. */
  private final Map<Long, Runnable> timers = new TreeMap<>();
  private long nextTimer = 1;
  private final List<WsMessage.Drain> sent = new ArrayList<>();
  private final List<String> closes = new ArrayList<>();
  private int released;
  private int lapsed;
  private final List<Long> delays = new ArrayList<>();
  private final List<WsMessage.Drain> stayedFrom = new ArrayList<>();
  private long now;

  private final SessionMove move = new SessionMove(new SessionMove.Timers() {
    @Override
    public long set(long delayMs, Runnable task) {
      delays.add(delayMs);
      timers.put(nextTimer, task);
      return nextTimer++;
    }

    @Override
    public void cancel(long id) {
      timers.remove(id);
    }

    @Override
    public long nanoTime() {
      return now;
    }
  }, new SessionMove.Socket() {
    @Override
    public void send(WsMessage.Drain frame) {
      sent.add(frame);
    }

    @Override
    public boolean isClosed() {
      return !closes.isEmpty();
    }

    @Override
    public void close(short code, String reason) {
      closes.add(code + " " + reason);
    }
  }).releaseHandler(() -> released++).lapseHandler(() -> lapsed++).stayHandler(stayedFrom::add);

  private void deadline() {
    List<Runnable> due = new ArrayList<>(timers.values());
    timers.clear();
    due.forEach(Runnable::run);
  }

  private static WsMessage.Drain rebalance() {
    return WsMessage.Drain.rebalance(2_000, List.of("b-2"));
  }

  @Test
  void aRebalanceAnsweredWithStayIsNotClosedAtTheDeadlineAndIsReleasedOnce() {
    move.ask(rebalance());
    move.stay(0);
    move.stay(1);
    deadline();
    assertEquals(1, sent.size());
    assertEquals(List.of(), closes);
    assertEquals(1, released);
    assertTrue(move.stayed());
    assertFalse(move.closedAtDeadline());
  }

  @Test
  void aRebalanceNotGoneByItsDeadlineLapsesKeptOpenAsIfItStayedAndAskableAfterTheHoldDown() {
    move.ask(rebalance());
    assertEquals(List.of(2_000L * SessionMove.LAPSE_AFTER_DEADLINES), delays, "in flight until four deadlines have passed");
    now = 5;
    deadline();
    move.stay(6);
    assertEquals(List.of(), closes, "a rebalance closes nobody");
    assertFalse(move.closedAtDeadline());
    assertTrue(move.lapsed());
    assertTrue(move.stayed());
    assertEquals(1, lapsed);
    assertEquals(0, released, "the stay after the deadline is ignored");
    assertFalse(move.askable(5 + HOLD_DOWN - 1, HOLD_DOWN));
    assertTrue(move.askable(5 + HOLD_DOWN, HOLD_DOWN));
    move.ask(new WsMessage.Drain(10_000));
    deadline();
    assertEquals(List.of("1001 backend drained"), closes, "a drain still reaches it, and closes at its deadline");
    assertEquals(10_000L, delays.get(1));
    assertEquals(1, lapsed);
  }

  @Test
  void aStayHandsTheFrameItCouldNotFollowOnSoAnotherClientCanBeAskedInItsPlace() {
    WsMessage.Drain frame = rebalance();
    move.ask(frame);
    move.stay(0);
    assertEquals(List.of(frame), stayedFrom);
    move.ask(new WsMessage.Drain(10_000));
    assertEquals(List.of(frame), stayedFrom, "a drain reaching a client that stayed asks nobody in its place");
  }

  @Test
  void aDrainReplacingARebalanceOrALapseAsksNobodyInPlace() {
    move.ask(rebalance());
    deadline();
    move.ask(new WsMessage.Drain(10_000));
    deadline();
    assertEquals(List.of(), stayedFrom);
  }

  @Test
  void aDrainIgnoresStayAndClosesAtTheDeadline() {
    move.ask(new WsMessage.Drain(10_000));
    move.stay(0);
    deadline();
    assertEquals(List.of("1001 backend drained"), closes);
    assertFalse(move.stayed());
    assertEquals(0, released);
  }

  @Test
  void aDrainReachesAClientThatStayedSoTheBackendCanStillEmpty() {
    move.ask(rebalance());
    move.stay(0);
    move.ask(new WsMessage.Drain(10_000));
    assertEquals(DrainReason.DRAIN, sent.get(1).reason(), "the drain is sent");
    deadline();
    assertEquals(List.of("1001 backend drained"), closes);
    assertEquals(1, released, "released once, by the stay");
  }

  @Test
  void aDrainReplacesARebalanceInFlightReleasingItAndKeepingOneDeadline() {
    move.ask(rebalance());
    move.ask(new WsMessage.Drain(10_000));
    assertEquals(1, released, "no longer a rebalance in flight");
    assertEquals(1, timers.size(), "the rebalance's deadline gave way to the drain's");
    assertEquals(DrainReason.DRAIN, move.reason());
    deadline();
    assertEquals(List.of("1001 backend drained"), closes);
  }

  @Test
  void aConnectionIsAskedOnceUnlessItStayedAndTheHoldDownPassed() {
    assertTrue(move.askable(0, HOLD_DOWN));
    move.stay(0);
    assertNull(move.reason(), "a stay without an ask is ignored");
    move.ask(rebalance());
    move.ask(rebalance());
    assertEquals(1, sent.size(), "a second rebalance is not sent");
    assertFalse(move.askable(HOLD_DOWN * 2, HOLD_DOWN), "asked and not stayed: never again");
    move.stay(100);
    assertFalse(move.askable(100 + HOLD_DOWN - 1, HOLD_DOWN), "stayed: held down");
    assertTrue(move.askable(100 + HOLD_DOWN, HOLD_DOWN), "stayed a hold-down ago: may be asked again");
    move.ask(rebalance());
    assertEquals(2, sent.size());
    assertFalse(move.stayed());
    assertEquals(1, timers.size());
  }
}
