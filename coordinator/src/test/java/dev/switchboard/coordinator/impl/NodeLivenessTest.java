package dev.switchboard.coordinator.impl;

import dev.switchboard.coordinator.impl.NodeLiveness.State;
import dev.switchboard.coordinator.impl.NodeLiveness.Transition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Times are in arbitrary units (read them as ms): suspect after 1,000, expired after 2,500, checks every 100. */
class NodeLivenessTest {

  private final NodeLiveness liveness = new NodeLiveness(1_000, 2_500, 100);
  /** The injected clock: the time of the last check. */
  private long now;

  /** Runs the checks due until {@code until}, one per period, and returns every transition they found. */
  private List<Transition> checkUntil(long until) {
    List<Transition> moved = new ArrayList<>();
    while (now < until) {
      now = Math.min(until, now + 100);
      moved.addAll(liveness.check(now).transitions());
    }
    return moved;
  }

  private static Transition move(String node, State from, State to, long silent) {
    return new Transition(node, from, to, silent);
  }

  @Test
  void aSilentNodeIsFirstSuspectThenExpiredEachReportedOnce() {
    liveness.know("a", 0);
    assertEquals(List.of(), checkUntil(1_000), "not past the suspect deadline yet");
    assertEquals(List.of(move("a", State.ALIVE, State.SUSPECT, 1_100)), checkUntil(1_100));
    assertEquals(State.SUSPECT, liveness.state("a"));
    assertEquals(List.of(), checkUntil(2_500), "suspect, not expired yet");
    assertEquals(List.of(move("a", State.SUSPECT, State.EXPIRED, 2_600)), checkUntil(2_600));
    assertEquals(List.of(), checkUntil(9_000), "reported once");
    assertEquals(State.EXPIRED, liveness.state("a"));
  }

  @Test
  void aNodeHeardWhileSuspectIsAliveAgainAndGetsAFreshDeadline() {
    liveness.know("a", 0);
    checkUntil(1_500);
    assertEquals(Optional.of(move("a", State.SUSPECT, State.ALIVE, 1_550)), liveness.heard("a", 1_550));
    assertEquals(State.ALIVE, liveness.state("a"));
    assertEquals(List.of(), checkUntil(2_500), "never expired: heard in time");
    assertEquals(List.of(move("a", State.ALIVE, State.SUSPECT, 1_050)), checkUntil(2_600));
  }

  @Test
  void aNodeHeardAfterExpiryIsRestored() {
    liveness.know("a", 0);
    checkUntil(3_000);
    assertEquals(Optional.of(move("a", State.EXPIRED, State.ALIVE, 3_100)), liveness.heard("a", 3_100));
    assertEquals(State.ALIVE, liveness.state("a"));
    assertEquals(Optional.empty(), liveness.heard("a", 3_200), "already alive");
    assertEquals(List.of(), checkUntil(4_000));
  }

  @Test
  void aNodeHeardOnTimeNeverChangesState() {
    liveness.know("a", 0);
    for (long t = 500; t <= 20_000; t += 500) {
      checkUntil(t);
      assertEquals(Optional.empty(), liveness.heard("a", t));
    }
    assertEquals(State.ALIVE, liveness.state("a"));
  }

  @Test
  void aCoordinatorStallLongerThanTheTimeoutExpiresNobody() {
    liveness.know("a", 0);
    liveness.know("b", 0);
    checkUntil(500);
    liveness.heard("a", 450);
    liveness.heard("b", 500);
    NodeLiveness.Check late = liveness.check(5_500); // the next check ran 5 s late (a GC pause)
    assertEquals(List.of(), late.transitions(), "the coordinator's stall is not the nodes' silence");
    assertEquals(4_800, late.stallNanos(), "all but two check periods forgiven");
    assertEquals(250, liveness.silentFor("a", 5_500));
    assertEquals(200, liveness.silentFor("b", 5_500));
    now = 5_500;
    liveness.heard("a", 5_510);
    liveness.heard("b", 5_520);
    assertEquals(List.of(), checkUntil(6_000));
  }

  @Test
  void silenceBeforeAndAfterAStallStillCounts() {
    liveness.know("a", 0);
    checkUntil(850);
    assertEquals(List.of(move("a", State.ALIVE, State.SUSPECT, 1_050)), liveness.check(10_000).transitions(),
        "850 before the stall and the two periods it counts: suspect, not expired");
    now = 10_000;
    assertEquals(List.of(move("a", State.SUSPECT, State.EXPIRED, 2_550)), checkUntil(11_500),
        "a node that stays silent after the stall still expires, one timeout of counted silence after its last heartbeat");
  }

  @Test
  void checksThatRunALittleLateCountTheirWholeGap() {
    liveness.know("a", 0);
    List<Transition> moved = new ArrayList<>();
    for (now = 150; now <= 2_700; now += 150) { // every check 50 late, within two periods: no stall
      NodeLiveness.Check check = liveness.check(now);
      assertEquals(0, check.stallNanos());
      moved.addAll(check.transitions());
    }
    assertEquals(List.of(move("a", State.ALIVE, State.SUSPECT, 1_050), move("a", State.SUSPECT, State.EXPIRED, 2_550)),
        moved);
  }

  @Test
  void aNewlyKnownNodeGetsAFullGracePeriodAndKnowingItAgainDoesNotRefreshIt() {
    checkUntil(10_000);
    liveness.know("b", 10_000);
    assertEquals(List.of(), checkUntil(11_000), "full grace for a node first seen late");
    liveness.know("b", 11_000);
    assertEquals(1_000, liveness.silentFor("b", 11_000));
    assertEquals(List.of(move("b", State.ALIVE, State.SUSPECT, 1_100)), checkUntil(11_100));
    assertEquals(List.of(move("b", State.SUSPECT, State.EXPIRED, 2_600)), checkUntil(12_600));
  }

  @Test
  void withoutASuspectStageASilentNodeExpiresDirectly() {
    NodeLiveness plain = new NodeLiveness(2_500, 2_500, 100);
    plain.know("a", 0);
    List<Transition> moved = new ArrayList<>();
    for (long t = 100; t <= 2_600; t += 100) {
      moved.addAll(plain.check(t).transitions());
    }
    assertEquals(List.of(move("a", State.ALIVE, State.EXPIRED, 2_600)), moved);
  }

  @Test
  void heartbeatsOfUnknownNodesAreIgnored() {
    assertEquals(Optional.empty(), liveness.heard("stranger", 0));
    assertEquals(-1, liveness.silentFor("stranger", 1));
    assertEquals(List.of(), checkUntil(10_000));
  }

  @Test
  void forgottenNodesAreNeitherExpiredNorKnown() {
    liveness.know("c", 0);
    checkUntil(1_500);
    liveness.forget("c");
    assertEquals(List.of(), checkUntil(10_000));
    assertEquals(-1, liveness.silentFor("c", 10_000));
    assertEquals(State.ALIVE, liveness.state("c"));
    assertTrue(liveness.heard("c", 10_000).isEmpty());
  }

  /** Runs the checks due until {@code until}, hearing {@code heard} before each, and returns every transition. */
  private List<Transition> checkUntilHearing(long until, String... heard) {
    List<Transition> moved = new ArrayList<>();
    while (now < until) {
      now = Math.min(until, now + 100);
      for (String node : heard) {
        liveness.heard(node, now);
      }
      moved.addAll(liveness.check(now).transitions());
    }
    return moved;
  }

  @Test
  void oneSilentNodeOfThreeIsSuspectedAndHiddenOnTime() {
    List.of("a", "b", "c").forEach(n -> liveness.know(n, 0));
    assertEquals(List.of(move("a", State.ALIVE, State.SUSPECT, 1_100), move("a", State.SUSPECT, State.EXPIRED, 2_600)),
        checkUntilHearing(3_000, "b", "c"));
  }

  @Test
  void mostNodesSilentAtOnceAreNeitherSuspectedNorHiddenAndThatTimeIsNotCountedAsTheirSilence() {
    List.of("a", "b", "c").forEach(n -> liveness.know(n, 0));
    assertEquals(List.of(), checkUntilHearing(4_000, "c"), "two of three silent at once: a starved host, not two deaths");
    assertEquals(2, liveness.check(now).silentTogether());
    assertEquals(State.ALIVE, liveness.state("b"));
    assertEquals(1_100, liveness.silentFor("b", now), "silence stopped counting when most fell silent");
    liveness.heard("a", now);
    assertEquals(List.of(move("b", State.ALIVE, State.SUSPECT, 1_100)), checkUntilHearing(4_100, "a", "c"),
        "once most are heard, the one still silent goes on from where it stood");
    assertEquals(0, liveness.check(now).silentTogether());
    assertEquals(List.of(), checkUntilHearing(5_500, "a", "c"));
    assertEquals(List.of(move("b", State.SUSPECT, State.EXPIRED, 2_600)), checkUntilHearing(5_600, "a", "c"));
  }

  @Test
  void aNodeSuspectBeforeTheOthersFellSilentStaysSuspectWhileMostAreSilent() {
    List.of("a", "b", "c").forEach(n -> liveness.know(n, 0));
    assertEquals(List.of(move("a", State.ALIVE, State.SUSPECT, 1_100)), checkUntilHearing(1_100, "b", "c"));
    assertEquals(List.of(), checkUntilHearing(5_000, "c"), "b fell silent too: a is neither hidden nor cleared");
    assertEquals(State.SUSPECT, liveness.state("a"));
  }

  @Test
  void withFewerThanThreeNodesASilentOneExpiresEvenIfItIsHalf() {
    List.of("a", "b").forEach(n -> liveness.know(n, 0));
    assertEquals(List.of(move("a", State.ALIVE, State.SUSPECT, 1_100), move("a", State.SUSPECT, State.EXPIRED, 2_600)),
        checkUntilHearing(3_000, "b"));
  }
}
