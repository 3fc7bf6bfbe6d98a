package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RebalanceGateTest {

  @Test
  void aServiceWhoseBackendsChangedIsNotJudgedForTwoLoadReportPeriods() {
    RebalanceGate gate = new RebalanceGate(4_000, 2_000);
    assertFalse(gate.settled("chat", Set.of("a", "b"), 0), "first sight");
    assertFalse(gate.settled("chat", Set.of("a", "b"), 1_000));
    assertTrue(gate.settled("chat", Set.of("a", "b"), 2_000));
    assertFalse(gate.settled("chat", Set.of("a"), 3_000), "b was killed: a's registry view is up to a period stale");
    assertFalse(gate.settled("chat", Set.of("a"), 4_000), "one round is not enough");
    assertTrue(gate.settled("chat", Set.of("a"), 5_000));
    assertFalse(gate.settled("chat", Set.of("a", "c"), 6_000), "a scale-out may still be deploying");
    assertFalse(gate.settled("chat", Set.of("a", "c", "d"), 7_000), "each change restarts the wait");
    assertFalse(gate.settled("chat", Set.of("a", "c", "d"), 8_000));
    assertFalse(gate.settled("other", Set.of("x"), 9_000));
    assertTrue(gate.settled("chat", Set.of("a", "c", "d"), 9_000), "services are judged apart");
  }

  @Test
  void aBackendThatShedCoolsDownForTheWholePeriod() {
    RebalanceGate gate = new RebalanceGate(4_000, 2_000);
    gate.shed("a", 10_000);
    assertEquals(Set.of("a"), gate.coolingDown(10_000));
    assertEquals(Set.of("a"), gate.coolingDown(13_999));
    assertEquals(Set.of(), gate.coolingDown(14_000));
  }

  @Test
  void whileAskedClientsAreStillOnTheirWayTheNodeDoesNotJudgeAndTheBackendCoolsUntilTheyArrived() {
    RebalanceGate gate = new RebalanceGate(4_000, 2_000);
    gate.shed("a", 0);
    assertFalse(gate.quiet(Set.of("a"), 3_000), "a's moves are in flight");
    assertFalse(gate.quiet(Set.of("a"), 5_000), "slow movers keep it in flight past the deadline");
    assertEquals(Set.of("a"), gate.coolingDown(6_999));
    assertTrue(gate.quiet(Set.of(), 6_000));
    assertEquals(Set.of(), gate.coolingDown(7_000), "two report periods after it was last seen in flight");
  }

  @Test
  void whileMovedClientsAreBetweenBackendsTheServiceTotalIsShortAndNoRoundJudges() {
    RebalanceGate gate = new RebalanceGate(4_000, 2_000);
    assertTrue(gate.recovered("chat", 6_000, 0), "nothing shed yet");
    gate.shedFrom("chat", 6_000, 0, 30_000);
    assertFalse(gate.recovered("chat", 3_138, 8_000), "2,862 clients closed at their deadline, not yet back");
    assertFalse(gate.recovered("chat", 5_600, 9_000));
    assertTrue(gate.recovered("chat", 5_990, 10_000), "back, give or take organic churn");
    assertTrue(gate.recovered("chat", 3_000, 11_000), "judged afresh once back");
    gate.shedFrom("chat", 6_000, 20_000, 30_000);
    assertTrue(gate.recovered("chat", 3_000, 50_000), "clients that never come back stop blocking after the wait");
  }

  @Test
  void aServiceWhoseTotalIsStillMovingIsNotJudged() {
    RebalanceGate gate = new RebalanceGate(4_000, 2_000);
    assertFalse(gate.steady("chat", 17), "first sight");
    assertFalse(gate.steady("chat", 60), "a burst still arriving");
    assertFalse(gate.steady("chat", 110), "still arriving");
    assertFalse(gate.steady("chat", 120), "10 more is over 5 % of 120");
    assertTrue(gate.steady("chat", 124), "within 5 % of the round before");
    assertTrue(gate.steady("chat", 121), "organic churn");
    assertTrue(gate.steady("other", 0) == false && gate.steady("other", 2), "small services: 2 connections of slack");
  }
}
