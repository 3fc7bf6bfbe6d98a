package dev.switchboard.backend.impl;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RebalancePlanTest {

  private static final double THRESHOLD = 1.10;

  static BackendRecord backend(String id, int connections) {
    return backend(id, connections, 100, 10_000, BackendState.UP);
  }

  static BackendRecord backend(String id, int connections, int weight, int capacity, BackendState state) {
    return new BackendRecord(id, "chat", "ws://h:1/ws", "n", "local", state, connections, capacity, weight, 1);
  }

  private static int totalShed(RebalancePlan plan) {
    return plan.sheds().stream().mapToInt(RebalancePlan.Shed::count).sum();
  }

  @Test
  void threeLoadedAndThreeEmptyBackendsShedExactlyWhatTheEmptyOnesLackAndPreferThem() {
    List<BackendRecord> loaded = List.of(backend("a", 2_100), backend("b", 2_000), backend("c", 1_900));
    List<BackendRecord> empty = List.of(backend("d", 0), backend("e", 0), backend("f", 0));
    List<BackendRecord> registry = new ArrayList<>(loaded);
    registry.addAll(empty);
    RebalancePlan plan = RebalancePlan.of(registry, loaded, Set.of(), THRESHOLD);
    assertEquals(3_000, totalShed(plan), "the empty ones lack 3 x 1,000");
    assertEquals(1_100, plan.count("a"));
    assertEquals(1_000, plan.count("b"));
    assertEquals(900, plan.count("c"), "each sheds down to its share, never below");
    assertEquals(Map.of("d", 1_000, "e", 1_000, "f", 1_000), received(plan), "each empty one gets exactly what it lacks");
    for (String shedder : List.of("a", "b", "c")) {
      assertEquals(List.of("d", "e", "f"), moves(plan, shedder).stream().map(RebalancePlan.Move::target).toList(),
          shedder + " spreads over every target, as they lack alike");
    }
  }

  private static List<RebalancePlan.Move> moves(RebalancePlan plan, String backend) {
    return plan.sheds().stream().filter(s -> s.backend().equals(backend)).findFirst().orElseThrow().moves();
  }

  /** Where the asked clients of every shed land when each goes to its {@code prefer[0]}. */
  private static Map<String, Integer> received(RebalancePlan plan) {
    Map<String, Integer> received = new TreeMap<>();
    for (RebalancePlan.Shed shed : plan.sheds()) {
      List<Integer> asked = IntStream.range(0, shed.count()).boxed().toList();
      List<List<Integer>> groups = ShedPicker.assign(asked, shed.moves());
      for (int k = 0; k < groups.size(); k++) {
        received.merge(shed.prefer(k).get(0), groups.get(k).size(), Integer::sum);
      }
    }
    return received;
  }

  @Test
  void twoSheddersSplitTheirMoversOverTwoNewcomersInProportionToWhatEachLacks() {
    List<BackendRecord> all = List.of(backend("s0", 36), backend("s1", 44), backend("n0", 0), backend("n1", 0));
    RebalancePlan plan = RebalancePlan.of(all, all, Set.of(), THRESHOLD);
    assertEquals(List.of(new RebalancePlan.Move("n0", 8), new RebalancePlan.Move("n1", 8)), moves(plan, "s0"));
    assertEquals(List.of(new RebalancePlan.Move("n0", 12), new RebalancePlan.Move("n1", 12)), moves(plan, "s1"));
    assertEquals(Map.of("n0", 20, "n1", 20), received(plan), "each newcomer gets exactly what it lacks, not 30/10");
    RebalancePlan.Shed s1 = plan.sheds().stream().filter(s -> s.backend().equals("s1")).findFirst().orElseThrow();
    assertEquals(List.of("n0", "n1"), s1.prefer(0));
    assertEquals(List.of("n1", "n0"), s1.prefer(1), "its target first, then the shedder's other targets");
  }

  @Test
  void aScaleOutFromOneHundredToTwoHundredFillsEveryTargetExactlyFromEveryShedder() {
    List<BackendRecord> all = new ArrayList<>();
    IntStream.range(0, 100).forEach(i -> all.add(backend(String.format("old%03d", i), 5_000)));
    IntStream.range(0, 100).forEach(i -> all.add(backend(String.format("new%03d", i), 0)));
    RebalancePlan plan = RebalancePlan.of(all, all, Set.of(), THRESHOLD);
    assertEquals(100, plan.sheds().size());
    Map<String, Integer> received = received(plan);
    assertEquals(100, received.size());
    received.forEach((id, n) -> assertEquals(2_500, n, id + " receives exactly its deficit"));
    plan.sheds().forEach(s -> assertEquals(100, s.moves().size(), s.backend() + " sends 25 to each newcomer"));
  }

  @Test
  void unevenSheddersFillEveryTargetExactly() {
    List<BackendRecord> all = new ArrayList<>();
    // 1,505 .. 2,495 over 100 backends and 100 empty ones: 200,000 in all, a share of 1,000 each
    IntStream.range(0, 100).forEach(i -> all.add(backend(String.format("old%03d", i), 1_505 + 10 * i)));
    IntStream.range(0, 100).forEach(i -> all.add(backend(String.format("new%03d", i), 0)));
    RebalancePlan plan = RebalancePlan.of(all, all, Set.of(), THRESHOLD);
    for (RebalancePlan.Shed shed : plan.sheds()) {
      assertEquals(shed.connections() - 1_000, shed.count(), shed.backend() + " sheds down to its share");
      assertEquals(shed.count(), shed.moves().stream().mapToInt(RebalancePlan.Move::count).sum());
    }
    Map<String, Integer> received = received(plan);
    assertEquals(100, received.size());
    received.forEach((id, n) -> assertEquals(1_000, n, id + " receives exactly its deficit, never more"));
  }

  @Test
  void aShedderCoolingDownLeavesTheOthersRowsAsTheyWere() {
    List<BackendRecord> all = List.of(backend("s0", 36), backend("s1", 44), backend("n0", 0), backend("n1", 0));
    RebalancePlan cooling = RebalancePlan.of(all, all, Set.of("s0"), THRESHOLD);
    assertEquals(0, cooling.count("s0"));
    assertEquals(List.of(new RebalancePlan.Move("n0", 12), new RebalancePlan.Move("n1", 12)), moves(cooling, "s1"),
        "s1 sends to each newcomer its part, whether s0 acts this round or not");
    RebalancePlan remote = RebalancePlan.of(all, List.of(all.get(1)), Set.of(), THRESHOLD);
    assertEquals(moves(cooling, "s1"), moves(remote, "s1"), "every node computes the same rows");
  }

  @Test
  void aScaleOutConvergesInOneRoundWhenClientsGoToTheirFirstPreference() {
    Map<String, Integer> load = new HashMap<>(Map.of("a", 2_000, "b", 2_000, "c", 2_000, "d", 0, "e", 0, "f", 0));
    List<BackendRecord> all = load.entrySet().stream().map(e -> backend(e.getKey(), e.getValue())).toList();
    RebalancePlan plan = RebalancePlan.of(all, all, Set.of(), THRESHOLD);
    for (RebalancePlan.Shed shed : plan.sheds()) {
      for (int k = 0; k < shed.moves().size(); k++) {
        // each moved client goes to its prefer[0]
        int n = shed.moves().get(k).count();
        load.merge(shed.backend(), -n, Integer::sum);
        load.merge(shed.prefer(k).get(0), n, Integer::sum);
      }
    }
    assertEquals(3_000, totalShed(plan), "the minimum that must move");
    load.forEach((id, n) -> assertTrue(n <= THRESHOLD * 1_000, id + " holds " + n));
    List<BackendRecord> after = load.entrySet().stream().map(e -> backend(e.getKey(), e.getValue())).toList();
    assertEquals(0, totalShed(RebalancePlan.of(after, after, Set.of(), THRESHOLD)), "nothing left to do");
  }

  @Test
  void withinTheThresholdNothingMoves() {
    List<BackendRecord> all = List.of(backend("a", 1_090), backend("b", 1_000), backend("c", 910));
    assertEquals(0, totalShed(RebalancePlan.of(all, all, Set.of(), THRESHOLD)), "1,090 vs share 1,000 is under 1.10x");
    List<BackendRecord> one = List.of(backend("a", 1), backend("b", 0));
    assertEquals(0, totalShed(RebalancePlan.of(one, one, Set.of(), THRESHOLD)),
        "one connection over an empty peer is not worth moving");
  }

  @Test
  void aTightThresholdStillLeavesACountTwoOverItsShareAlone() {
    // 80 over 4, a share of 20: 22 is above 1.05 x 20, but list counts a few seconds old are off by
    // that much, so only a backend more than two over its share sheds
    List<BackendRecord> nearShare = List.of(backend("a", 22), backend("b", 19), backend("c", 20), backend("d", 19));
    assertEquals(0, totalShed(RebalancePlan.of(nearShare, nearShare, Set.of(), 1.05)));
    List<BackendRecord> threeOver = List.of(backend("a", 23), backend("b", 18), backend("c", 20), backend("d", 19));
    RebalancePlan plan = RebalancePlan.of(threeOver, threeOver, Set.of(), 1.05);
    assertEquals(3, plan.count("a"), "down to its share, into what b and d lack: " + plan.sheds());
    // a large share is held to the threshold itself: 2,000 over 5, 421 of a share of 400 sheds at 1.05
    List<BackendRecord> burst = List.of(backend("a", 421), backend("b", 400), backend("c", 400), backend("d", 400),
        backend("e", 379));
    assertEquals(21, RebalancePlan.of(burst, burst, Set.of(), 1.05).count("a"));
  }

  @Test
  void weightsSetTheSharesAndTheOrderOfPreference() {
    List<BackendRecord> all = List.of(backend("a", 600, 100, 10_000, BackendState.UP),
        backend("b", 0, 100, 10_000, BackendState.UP), backend("c", 0, 200, 10_000, BackendState.UP));
    RebalancePlan plan = RebalancePlan.of(all, all, Set.of(), THRESHOLD);
    assertEquals(450, plan.count("a"), "a weight-100 backend of 400 in all keeps a quarter of 600");
    assertEquals(List.of(new RebalancePlan.Move("c", 300), new RebalancePlan.Move("b", 150)), moves(plan, "a"),
        "c lacks 300, b 150");
  }

  @Test
  void aSecondPlanComputedWhileTheCooldownRunsShedsNothing() {
    List<BackendRecord> local = List.of(backend("a", 2_000), backend("b", 2_000));
    List<BackendRecord> registry = new ArrayList<>(local);
    registry.add(backend("c", 0));
    RebalanceGate gate = new RebalanceGate(4_000, 2_000);
    RebalancePlan first = RebalancePlan.of(registry, local, gate.coolingDown(0), THRESHOLD);
    assertTrue(totalShed(first) > 0);
    first.sheds().forEach(s -> gate.shed(s.backend(), 0));
    // one second later the registry still shows c empty (its load report is not in yet)
    assertEquals(0, totalShed(RebalancePlan.of(registry, local, gate.coolingDown(1_000), THRESHOLD)),
        "a stale count does not make the same backends shed twice");
    assertEquals(totalShed(first), totalShed(RebalancePlan.of(registry, local, gate.coolingDown(4_000), THRESHOLD)),
        "after the cooldown a backend still over its share is judged again");
  }

  @Test
  void theOwnLiveCountReplacesTheStaleRegistryCount() {
    List<BackendRecord> registry = List.of(backend("a", 9_000), backend("b", 10));
    assertEquals(0, totalShed(RebalancePlan.of(registry, List.of(backend("a", 10)), Set.of(), THRESHOLD)));
  }

  @Test
  void onlyLocalBackendsArePlannedFor() {
    List<BackendRecord> registry = List.of(backend("a", 2_000), backend("remote", 2_000), backend("new", 0));
    RebalancePlan plan = RebalancePlan.of(registry, List.of(backend("a", 2_000)), Set.of(), THRESHOLD);
    assertEquals(1, plan.sheds().size());
    assertEquals(666, plan.count("a"), "the share is 1,333.3: a holds 666.7 too many and never sheds below its share");
  }

  @Test
  void drainingPeersTakeNoShareAndAreNeverPreferred() {
    List<BackendRecord> all = List.of(backend("a", 400), backend("b", 0),
        backend("leaving", 500, 100, 10_000, BackendState.DRAINING));
    RebalancePlan plan = RebalancePlan.of(all, List.of(all.get(0)), Set.of(), THRESHOLD);
    assertEquals(200, plan.count("a"));
    assertEquals(List.of("b"), plan.sheds().iterator().next().targets());
    assertEquals(Map.of("chat", Set.of("a", "b")), plan.members());
  }

  @Test
  void aNearlyFullBackendIsOwedOnlyItsFreeRoomSoTheOthersShedLess() {
    List<BackendRecord> all = List.of(backend("a", 1_000), backend("b", 1_000), backend("small", 0, 100, 100, BackendState.UP));
    RebalancePlan plan = RebalancePlan.of(all, all, Set.of(), THRESHOLD);
    assertEquals(50, plan.count("a"));
    assertEquals(50, plan.count("b"), "together they shed the 100 small can take, not its share of 667");
  }

  @Test
  void aPreferListNamesItsTargetFirstAndAtMostSixteenBackends() {
    List<BackendRecord> all = new ArrayList<>(List.of(backend("big", 4_000)));
    IntStream.range(0, 20).forEach(i -> all.add(backend(String.format("n%02d", i), i)));
    RebalancePlan.Shed shed = RebalancePlan.of(all, List.of(all.get(0)), Set.of(), THRESHOLD).sheds().iterator().next();
    assertEquals(IntStream.range(0, 20).mapToObj(i -> String.format("n%02d", i)).toList(), shed.targets(),
        "most lacking first");
    assertEquals(IntStream.range(0, 16).mapToObj(i -> String.format("n%02d", i)).toList(), shed.prefer(0));
    List<String> last = shed.prefer(19);
    assertEquals(16, last.size());
    assertEquals("n19", last.get(0));
    assertEquals(IntStream.range(0, 15).mapToObj(i -> String.format("n%02d", i)).toList(), last.subList(1, 16));
  }
}
