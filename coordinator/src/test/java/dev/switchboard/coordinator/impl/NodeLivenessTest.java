package dev.switchboard.coordinator.impl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeLivenessTest {

  private final NodeLiveness liveness = new NodeLiveness(1_500);

  @Test
  void aSilentNodeExpiresOnceAfterItsDeadline() {
    liveness.know("a", 0);
    assertEquals(List.of(), liveness.expire(1_500));
    assertEquals(List.of("a"), liveness.expire(1_501));
    assertEquals(List.of(), liveness.expire(9_000), "reported once");
    assertFalse(liveness.isAlive("a"));
  }

  @Test
  void aHeartbeatAfterExpiryRevivesTheNode() {
    liveness.know("a", 0);
    liveness.expire(2_000);
    assertTrue(liveness.heard("a", 2_100), "revived");
    assertTrue(liveness.isAlive("a"));
    assertFalse(liveness.heard("a", 2_200), "already alive");
    assertEquals(List.of(), liveness.expire(3_000));
  }

  @Test
  void knowingANodeStartsAFullDeadlineButDoesNotRefreshIt() {
    liveness.know("b", 1_000);
    liveness.know("b", 2_400);
    assertEquals(1_500, liveness.silentFor("b", 2_500));
    assertEquals(List.of("b"), liveness.expire(2_501));
  }

  @Test
  void heartbeatsOfUnknownNodesAreIgnored() {
    assertFalse(liveness.heard("stranger", 0));
    assertEquals(-1, liveness.silentFor("stranger", 1));
    assertEquals(List.of(), liveness.expire(10_000));
  }

  @Test
  void forgottenNodesAreNeitherExpiredNorKnown() {
    liveness.know("c", 0);
    liveness.forget("c");
    assertEquals(List.of(), liveness.expire(10_000));
    assertEquals(-1, liveness.silentFor("c", 10_000));
    assertTrue(liveness.isAlive("c"));
  }
}
