package dev.switchboard.bench.sim;

import dev.switchboard.client.policy.Policy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator at 20,000 clients over 20 backends, driving the real policies, backoff, move hints and
 * rebalance plan: properties that must hold whatever the tuning. A run takes well under a second. The
 * disabled tests state properties the real pieces break today (docs/balance.md, "What the simulator found").
 */
class SimulationTest {

  private static final int CLIENTS = 20_000;
  private static final int BACKENDS = 20;

  private static SimResult run(Policy policy, Scenario scenario, int seed) {
    return Simulation.run(SimConfig.of(policy, CLIENTS, BACKENDS, seed), scenario);
  }

  @Test
  void theSameSeedGivesTheSameFiguresAndAnotherSeedOthers() {
    for (Scenario scenario : Scenario.values()) {
      assertEquals(run(Policy.LEAST_LOADED, scenario, 7).figures(), run(Policy.LEAST_LOADED, scenario, 7).figures(),
          scenario.label());
    }
    assertNotEquals(run(Policy.RANDOM, Scenario.COLD_START, 7).figures(), run(Policy.RANDOM, Scenario.COLD_START, 8).figures());
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"LEAST_LOADED", "ROUND_ROBIN", "RANDOM"})
  void everyClientOfTheKilledBackendsIsConnectedAgainWithinTwoSeconds(Policy policy) {
    SimResult r = run(policy, Scenario.KILL, 3);
    assertEquals(2 * CLIENTS / BACKENDS, r.affected(), "two of 20 backends killed, 1,000 clients each");
    assertEquals(r.affected(), r.minMoves(), "from a balanced fleet only the displaced must move");
    assertTrue(r.reconnectMaxMs() >= 0 && r.reconnectMaxMs() < 2_000, "the last reconnected after " + r.reconnectMaxMs() + " ms");
    assertEquals(0, r.unconnectedAtEnd());
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"LEAST_LOADED", "ROUND_ROBIN", "RANDOM"})
  void noAttemptGoesToABackendTheListNoLongerHolds(Policy policy) {
    for (Scenario scenario : Scenario.values()) {
      assertEquals(0, run(policy, scenario, 3).attemptsToUnlisted(), scenario.label());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"LEAST_LOADED", "ROUND_ROBIN", "RANDOM"})
  void aClientNeverRetriesTheBackendItJustLostWhileAnotherIsListed(Policy policy) {
    assertEquals(0, run(policy, Scenario.KILL, 3).attemptsToOwnLost());
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"LEAST_LOADED", "ROUND_ROBIN", "RANDOM"})
  void noClientIsAskedToMoveWithinTheHoldDownOfItsLastMove(Policy policy) {
    for (Scenario scenario : Scenario.values()) {
      SimResult r = run(policy, scenario, 5);
      assertEquals(0, r.holdDownViolations(), scenario.label());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"LEAST_LOADED", "ROUND_ROBIN", "RANDOM"})
  void aColdStartBurstIsBalancedOnceItsClientsArePastTheHoldDown(Policy policy) {
    long holdDownMs = SimConfig.of(policy, CLIENTS, BACKENDS, 1).rebalanceHoldDownMs();
    for (int seed = 1; seed <= 5; seed++) {
      SimResult r = run(policy, Scenario.COLD_START, seed);
      // least-loaded reaches 1.30 here (its first coalesced report is a few ms into the burst), random and round-robin 1.11
      assertTrue(r.maxOverMean().get(0) < 1.5, "seed " + seed + ": max/mean " + r.maxOverMean());
      assertTrue(r.convergedMs() >= 0 && r.convergedMs() < holdDownMs + 10_000,
          "seed " + seed + ": within the threshold, all connected, after " + r.convergedMs() + " ms");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Policy.class, names = {"LEAST_LOADED", "RANDOM"})
  void aScaleOutConvergesUnderTheThresholdWithinFiveSecondsMovingEachClientAtMostOnce(Policy policy) {
    for (int seed = 1; seed <= 3; seed++) {
      SimResult r = run(policy, Scenario.SCALE_OUT, seed);
      assertTrue(r.convergedMs() >= 0 && r.convergedMs() <= 5_000, "seed " + seed + ": after " + r.convergedMs() + " ms");
      assertTrue(r.plannedMoves() + r.failovers() <= r.minMoves() * 1.05, "seed " + seed + ": " + r);
      assertEquals(0, r.clientsMovedTwice(), "seed " + seed);
    }
  }

  @Test
  void aRoundRobinScaleOutConvergesUnderTheThresholdWithinFiveSeconds() {
    SimResult r = run(Policy.ROUND_ROBIN, Scenario.SCALE_OUT, 1);
    assertTrue(r.convergedMs() >= 0 && r.convergedMs() <= 5_000, "after " + r.convergedMs() + " ms: " + r.maxOverMean());
  }

  @Test
  void aScaleOutWithMoreNewcomersThanThePreferListConvergesWithinFiveSeconds() {
    SimResult r = Simulation.run(SimConfig.of(Policy.LEAST_LOADED, CLIENTS, 2 * BACKENDS, 1), Scenario.SCALE_OUT);
    assertTrue(r.convergedMs() >= 0 && r.convergedMs() <= 5_000, "after " + r.convergedMs() + " ms: " + r.maxOverMean());
  }
}
