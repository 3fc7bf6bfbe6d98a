package dev.switchboard.backend.impl;

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

/** {@link SessionMove} on fake timers and a fake socket: who is closed at the deadline, who stays. */
class SessionMoveTest {

  /** Timers fired by hand, by id. */
  private final Map<Long, Runnable> timers = new TreeMap<>();
  private long nextTimer = 1;
  private final List<WsMessage.Drain> sent = new ArrayList<>();
  private final List<String> closes = new ArrayList<>();
  private int stays;

  private final SessionMove move = new SessionMove(new SessionMove.Timers() {
    @Override
    public long set(long delayMs, Runnable task) {
      timers.put(nextTimer, task);
      return nextTimer++;
    }

    @Override
    public void cancel(long id) {
      timers.remove(id);
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
  }).stayHandler(() -> stays++);

  private void deadline() {
    List<Runnable> due = new ArrayList<>(timers.values());
    timers.clear();
    due.forEach(Runnable::run);
  }

  @Test
  void aRebalanceAnsweredWithStayIsNotClosedAtTheDeadlineAndTheHandlerHearsItOnce() {
    move.ask(WsMessage.Drain.rebalance(2_000, List.of("b-2")));
    move.stay();
    move.stay();
    deadline();
    assertEquals(1, sent.size());
    assertEquals(List.of(), closes);
    assertEquals(1, stays);
    assertTrue(move.stayed());
    assertFalse(move.closedAtDeadline());
  }

  @Test
  void aRebalanceNotAnsweredIsClosedWith1001AtTheDeadlineAndAStayAfterItIsIgnored() {
    move.ask(WsMessage.Drain.rebalance(2_000, List.of("b-2")));
    deadline();
    move.stay();
    assertEquals(List.of("1001 backend rebalanced"), closes);
    assertTrue(move.closedAtDeadline());
    assertEquals(0, stays);
  }

  @Test
  void aDrainIgnoresStayAndClosesAtTheDeadline() {
    move.ask(new WsMessage.Drain(10_000));
    move.stay();
    deadline();
    assertEquals(List.of("1001 backend drained"), closes);
    assertFalse(move.stayed());
    assertEquals(0, stays);
  }

  @Test
  void aConnectionIsAskedOnceAndAStayWithoutAnAskIsIgnored() {
    move.stay();
    assertNull(move.reason());
    assertFalse(move.asked());
    move.ask(WsMessage.Drain.rebalance(2_000, List.of()));
    move.ask(new WsMessage.Drain(10_000));
    assertEquals(1, sent.size(), "the second ask is not sent");
    assertTrue(move.asked());
    assertEquals(dev.switchboard.model.DrainReason.REBALANCE, move.reason());
    assertEquals(1, timers.size(), "one deadline");
  }
}
