package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sweep's decisions, with an injected clock; {@link RoomsOnHazelcastTest} runs it against a member. */
class RoomSweeperTest {

  private static final long TTL = 600_000;

  @Test
  void aRoomIsIdleOnlyOnceATtlHasPassedSinceItsLastUse() {
    long now = 5_000_000;
    assertFalse(RoomSweeper.idle(now - TTL + 1, now, TTL));
    assertTrue(RoomSweeper.idle(now - TTL, now, TTL));
    assertFalse(RoomSweeper.idle(null, now, TTL), "no record: not ours to judge (adopted first)");
    assertFalse(RoomSweeper.idle(now + 60_000, now, TTL), "a writer whose clock runs ahead");
  }

  @Test
  void theCandidatesAreTheIdleRoomsThisNodeDoesNotServe() {
    long now = 5_000_000;
    Map<String, Long> activity = new LinkedHashMap<>();
    activity.put("idle", now - TTL - 1);
    activity.put("fresh", now - 1_000);
    activity.put("served-here", now - TTL - 1);
    assertEquals(Set.of("idle"), Set.copyOf(RoomSweeper.candidates(activity, "served-here"::equals, now, TTL, 10)));
  }

  @Test
  void oneSweepTakesAtMostItsBatch() {
    long now = 5_000_000;
    Map<String, Long> activity = new LinkedHashMap<>();
    for (int i = 0; i < 50; i++) {
      activity.put("r" + i, 0L);
    }
    assertEquals(20, RoomSweeper.candidates(activity, r -> false, now, TTL, 20).size());
  }

  @Test
  void theSweepRunsFourTimesPerTtlWithinItsBounds() {
    assertEquals(60_000, RoomSweeper.periodMs(600_000));
    assertEquals(1_250, RoomSweeper.periodMs(5_000));
    assertEquals(250, RoomSweeper.periodMs(400));
  }
}
