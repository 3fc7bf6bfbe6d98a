package dev.switchboard.it;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.client.MoveReason;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Balance with real backend JVMs and Java clients: a burst of least-loaded clients ends balanced, a
 * scale-out moves each client at most once and only onto the newcomers, and clients of a killed
 * backend never try it again while another is listed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BalanceIT {

  private static CoordinatorFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = CoordinatorFixture.start("coordinator-balance");
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** A fleet of clients and what happened to each: moves, failovers, attempts by backend id. */
  private static final class Fleet implements AutoCloseable {
    final List<SwitchboardClient> clients = new ArrayList<>();
    final Map<Integer, List<String>> moves = new ConcurrentHashMap<>();
    final List<String> failovers = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    volatile long lastMoveAt = System.nanoTime();

    Fleet(int size, String policy) {
      for (int i = 0; i < size; i++) {
        int index = i;
        SwitchboardClient c = new SwitchboardClient(fixture.vertx(), new SwitchboardClientOptions()
            .setCoordinators(List.of(fixture.coordinator().base())).setPolicy(policy).setKey("user-" + i)
            .setIntervalMs(1_000).setTimeoutMs(4_000))
            .moveHandler(m -> {
              lastMoveAt = System.nanoTime();
              moves.computeIfAbsent(index, k -> new CopyOnWriteArrayList<>())
                  .add(m.reason().code() + " " + m.from().id() + " -> " + m.to().id());
            })
            .failoverHandler(f -> failovers.add(f.from().id() + " " + f.reason().code()))
            .connectHandler(b -> attempts.computeIfAbsent(b.id(), k -> new AtomicInteger()).incrementAndGet());
        clients.add(c);
      }
    }

    void startAll() throws Exception {
      Future.all(clients.stream().map(SwitchboardClient::start).toList()).await(60, TimeUnit.SECONDS);
    }

    /** Connections per backend id among {@code ids}, from the clients themselves (exact, unlike the list). */
    Map<String, Integer> spread(List<String> ids) {
      Map<String, Integer> spread = new TreeMap<>();
      ids.forEach(id -> spread.put(id, 0));
      for (SwitchboardClient c : clients) {
        if (c.backend() != null) {
          spread.merge(c.backend().id(), 1, Integer::sum);
        }
      }
      return spread;
    }

    boolean balanced(List<String> ids, double bound) {
      Map<String, Integer> spread = spread(ids);
      double mean = (double) clients.size() / ids.size();
      return spread.size() == ids.size() && spread.values().stream().allMatch(n -> n <= bound * mean)
          && spread.values().stream().mapToInt(Integer::intValue).sum() == clients.size();
    }

    /**
     * Whether no backend among {@code ids} would shed: none above the default rebalance threshold × the
     * mean while more than two clients over it (docs/protocol.md).
     */
    boolean withinRebalanceTolerance(List<String> ids) {
      double mean = (double) clients.size() / ids.size();
      double bound = Math.max(BackendOptions.DEFAULT_REBALANCE_THRESHOLD * mean, mean + 2);
      return balanced(ids, bound / mean);
    }

    List<String> movedTwice() {
      return moves.entrySet().stream().filter(e -> e.getValue().size() > 1).map(e -> "user-" + e.getKey() + " " + e.getValue()).toList();
    }

    @Override
    public void close() throws Exception {
      Future.join(clients.stream().map(SwitchboardClient::close).toList()).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void leastLoadedClientsStartedTogetherOverTwoBackendsEndWithinTenPercentOfTheMean() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode node = fixture.cluster().backendNode("balance-burst", 2);
         Fleet fleet = new Fleet(120, "least-loaded")) {
      fixture.awaitListed(2);
      fleet.startAll();
      System.out.println("least-loaded burst of 120, at once: " + fleet.spread(node.ids()));
      Http.await("the fleet within 1.10 x the mean", Duration.ofSeconds(20), () -> fleet.balanced(node.ids(), 1.10));
      System.out.println("least-loaded burst of 120, settled: " + fleet.spread(node.ids()) + ", moves " + fleet.moves);
      assertEquals(List.of(), fleet.movedTwice(), "no client moved twice");
      assertEquals(List.of(), fleet.failovers, "nothing failed");
    }
    fixture.awaitNoConnections();
  }

  @Test
  void afterANodeJoinsEachClientMovesAtMostOnceAndOnlyOntoTheNewcomers() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode old = fixture.cluster().backendNode("balance-old", 2);
         Fleet fleet = new Fleet(80, "round-robin")) {
      fixture.awaitListed(2);
      fleet.startAll();
      // settled: within what the old node's rebalance leaves alone, and none of its moves in flight (3 s
      // without a move: a round, its settle and its deadline)
      Http.await("the fleet on the old node, settled", Duration.ofSeconds(30), () -> fleet.withinRebalanceTolerance(old.ids())
          && System.nanoTime() - fleet.lastMoveAt > TimeUnit.SECONDS.toNanos(3));
      fleet.moves.clear(); // what counts is what the join causes
      try (TestCluster.BackendNode joined = fixture.cluster().backendNode("balance-new", 2)) {
        List<String> all = new ArrayList<>(old.ids());
        all.addAll(joined.ids());
        Http.await("the fleet within 1.10 x the mean over 4", Duration.ofSeconds(30), () -> fleet.balanced(all, 1.10));
        System.out.println("after the join: " + fleet.spread(all) + ", " + fleet.moves.size() + " clients moved");
        // a few more rebalance rounds: nobody is moved again
        Thread.sleep(5_000); // the rounds run on their own clock: nothing to await but time itself
        assertEquals(List.of(), fleet.movedTwice(), "no client moved twice");
        assertTrue(fleet.balanced(all, 1.10), "still balanced: " + fleet.spread(all));
        Set<String> newcomers = Set.copyOf(joined.ids());
        for (List<String> moves : fleet.moves.values()) {
          String move = moves.get(0);
          assertTrue(move.startsWith(MoveReason.REBALANCE.code() + " "), move);
          assertTrue(newcomers.contains(move.substring(move.indexOf("-> ") + 3)), "onto a newcomer: " + move);
        }
        assertEquals(List.of(), fleet.failovers, "nothing failed");
      }
    }
    fixture.awaitListed(0);
  }

  @Test
  void clientsOfAKilledBackendNeverTryItAgainWhileAnotherIsListed() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode a = fixture.cluster().backendNode("balance-a", 1, "--rebalance", "false");
         TestCluster.BackendNode b = fixture.cluster().backendNode("balance-b", 1, "--rebalance", "false");
         TestCluster.BackendNode c = fixture.cluster().backendNode("balance-c", 1, "--rebalance", "false");
         Fleet fleet = new Fleet(60, "round-robin")) {
      fixture.awaitListed(3);
      fleet.startAll();
      String victim = a.ids().get(0);
      int before = fleet.attempts.get(victim).get();
      int affected = fleet.spread(List.of(victim)).get(victim);
      assertTrue(affected > 0, "round-robin put clients on every backend: " + fleet.spread(List.of(victim)));
      a.process().kill9();
      List<String> survivors = new ArrayList<>(b.ids());
      survivors.addAll(c.ids());
      Http.await("every client on a survivor", Duration.ofSeconds(20),
          () -> fleet.clients.stream().allMatch(x -> x.backend() != null && survivors.contains(x.backend().id())));
      fixture.awaitListed(2);
      assertEquals(before, fleet.attempts.get(victim).get(), "attempts on the killed backend after the kill");
      assertEquals(affected, fleet.failovers.stream().filter(f -> f.startsWith(victim + " ")).count(),
          "each affected client failed over once: " + fleet.failovers);
    }
    fixture.awaitListed(0);
  }
}
