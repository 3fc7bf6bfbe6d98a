package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShedPickerTest {

  private record Session(String name, long connectedAtSeconds, boolean moving, boolean movedIn) {
    Session(String name, long connectedAtSeconds, boolean moving) {
      this(name, connectedAtSeconds, moving, true);
    }
  }

  private static final long HOLD_DOWN = TimeUnit.SECONDS.toNanos(30);

  private static List<String> pick(List<Session> oldestFirst, int count, long nowSeconds) {
    return ShedPicker.pick(oldestFirst, count, TimeUnit.SECONDS.toNanos(nowSeconds), HOLD_DOWN,
        s -> TimeUnit.SECONDS.toNanos(s.connectedAtSeconds()), Session::movedIn, Session::moving).stream().map(Session::name).toList();
  }

  @Test
  void aClientThatMovedInWithinTheHoldDownIsNeverAskedToMove() {
    List<Session> sessions = List.of(new Session("old", 0, false), new Session("settled", 70, false),
        new Session("just-moved-in", 85, false));
    assertEquals(List.of("old", "settled"), pick(sessions, 10, 100),
        "85 s is 15 s ago, within the 30 s hold-down");
    assertEquals(List.of(), pick(List.of(new Session("young", 90, false)), 1, 100));
  }

  @Test
  void aClientThatJustConnectedForTheFirstTimeMayBeAskedAtOnce() {
    List<Session> sessions = List.of(new Session("moved-in", 90, false, true), new Session("first-time", 95, false, false));
    assertEquals(List.of("first-time"), pick(sessions, 10, 100), "a burst that landed unevenly is evened out at once");
  }

  @Test
  void onlyAPlannedMoveMarksAClientThatMovedIn() {
    assertEquals(true, BackendSession.movedIn("moved=rebalance"));
    assertEquals(true, BackendSession.movedIn("ticket=x&moved=drain"));
    assertEquals(false, BackendSession.movedIn("ticket=x&moved=closed"), "a failover is not held down");
    assertEquals(false, BackendSession.movedIn("moved=removed"));
    assertEquals(false, BackendSession.movedIn("moved="));
    assertEquals(false, BackendSession.movedIn(null));
    assertEquals(false, BackendSession.movedIn("unmoved=1"));
  }

  @Test
  void theOldestEligibleClientsAreAskedFirstAndNoneTwice() {
    List<Session> sessions = List.of(new Session("first", 0, true), new Session("second", 10, false),
        new Session("third", 20, false), new Session("fourth", 30, false));
    assertEquals(List.of("second", "third"), pick(sessions, 2, 100), "first is moving already");
  }

  @Test
  void noMoreThanTheCountIsAsked() {
    List<Session> sessions = List.of(new Session("a", 0, false), new Session("b", 0, false));
    assertEquals(List.of("a"), pick(sessions, 1, 100));
    assertEquals(List.of(), pick(sessions, 0, 100));
  }

  @Test
  void theAskedClientsGoToTheTargetsInTheAllocationsCounts() {
    List<RebalancePlan.Move> moves = List.of(new RebalancePlan.Move("x", 3), new RebalancePlan.Move("y", 5),
        new RebalancePlan.Move("z", 2));
    List<Integer> asked = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5, 6, 7), List.of(8, 9)), ShedPicker.assign(asked, moves));
    assertEquals(List.of(List.of(0, 1, 2), List.of(3, 4, 5), List.of()), ShedPicker.assign(asked.subList(0, 6), moves),
        "when the hold-down leaves fewer to ask, the last targets get fewer");
  }
}
