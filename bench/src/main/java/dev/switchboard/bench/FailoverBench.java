package dev.switchboard.bench;

import dev.switchboard.client.SwitchboardClientOptions;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Client failover: Java clients (default options) spread over three backend-node JVMs; one node is
 * killed (kill -9) or frozen (SIGSTOP). For each client whose primary connection was on that node, the
 * time from the signal until it has a primary connection elsewhere again — with one connection
 * (reconnect after backoff) and with a pool of two (the standby takes over). Baseline in the same run:
 * the time until a list subscriber of the coordinator sees the node's backend removed.
 */
final class FailoverBench {

  private final BenchCluster cluster;
  private final Vertx vertx;
  private final int clients;

  FailoverBench(BenchCluster cluster, Vertx vertx, int clients) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.clients = clients;
  }

  String run() throws Exception {
    StringBuilder table = new StringBuilder("| event | pool | clients moved | noticed p50 ms | recovered p50 ms | p99 ms | max ms "
        + "| coordinator's remove, ms | recovered p50 / remove |\n|---|---|---|---|---|---|---|---|---|\n");
    for (String signal : List.of("KILL", "STOP")) {
      for (int pool : List.of(1, 2)) {
        measure(signal, pool, table);
      }
    }
    return "Java clients with the default options (heartbeat 2 s / 5 s, backoff 250 ms base, full jitter, "
        + "round-robin), " + clients + " per run, spread over three backend-node JVMs and the bench node's own backend; "
        + "one node is signalled. Per client whose primary was on it: time from the signal until it notices (its "
        + "failover event: socket closed, or the backend left the list) and until it has a primary connection on another backend (pool 1: a new connection after backoff; pool 2: the hot standby takes "
        + "over). Baseline, same run: the coordinator's `remove` at a list subscriber. After kill -9 the kernel "
        + "closes the node's sockets once it has torn the JVM down (tens of ms here; one earlier run on the busy "
        + "machine saw ~650 ms), so clients usually act before the coordinator's remove (and try the other "
        + "backends first, though the list still shows the dead one); a frozen node keeps its sockets open, so "
        + "clients learn of it from the list (their heartbeat timeout, 5 s, would be later). The kill -9 rows are "
        + "measured more fully (own service, more clients, attempts to the killed backend, survivors' balance) by "
        + "`balance`'s kill case; the SIGSTOP rows only here.\n\n" + table;
  }

  private void measure(String signal, int pool, StringBuilder table) throws Exception {
    String label = "bench-failover-" + signal.toLowerCase(Locale.ROOT) + "-" + pool;
    try (Proc victim = cluster.backendNode(label + "-a", "384m", "--instances", "1");
         Proc b = cluster.backendNode(label + "-b", "384m", "--instances", "1");
         Proc c = cluster.backendNode(label + "-c", "384m", "--instances", "1");
         ListWatch list = ListWatch.open(vertx, cluster.coordinatorUrl(), null);
         Fleet fleet = new Fleet(vertx, BenchMain.EVENT_LOOPS, clients, i -> new SwitchboardClientOptions()
             .setCoordinators(List.of(cluster.coordinatorUrl())).setConnections(pool))) {
      String victimId = victim.await("switchboard backend (\\S+-0): ws://", Duration.ofSeconds(120)).group(1);
      String bId = b.await("switchboard backend (\\S+-0): ws://", Duration.ofSeconds(120)).group(1);
      String cId = c.await("switchboard backend (\\S+-0): ws://", Duration.ofSeconds(120)).group(1);
      // the three new backends and the bench node's own, and nothing left over from an earlier row
      list.await("the three new backends and the bench node's own", Duration.ofSeconds(60),
          l -> l.size() == 4 && l.keySet().containsAll(List.of(victimId, bId, cId)));
      fleet.start(Duration.ZERO);
      fleet.awaitOpen(Duration.ofSeconds(60));
      // a start the detection disturbed (a live node hidden for a moment) can leave a backend empty: the rebalance evens it out
      List<String> four = List.copyOf(list.backends().keySet());
      fleet.awaitBalanced(four, pool, 1.5, Duration.ofSeconds(60));
      List<Integer> affected = fleet.primariesOn(victimId);
      if (affected.isEmpty()) {
        System.out.printf("failover %s pool %d: skipped, no client on the backend to signal (%s)%n", signal, pool, fleet.spread(four));
        table.append(String.format(Locale.ROOT, "| %s | %d | skipped: no client on it (%s) | | | | | | |%n",
            "KILL".equals(signal) ? "kill -9" : "SIGSTOP", pool, fleet.spread(four)));
        return;
      }

      list.reset();
      long t0 = fleet.lose(victimId);
      if ("KILL".equals(signal)) {
        victim.kill9();
      } else {
        victim.signal("STOP");
      }
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      while ((fleet.recovered(affected).length < affected.size() || list.removedAt(victimId, t0) == 0) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      long[] noticedTimes = fleet.noticed(affected);
      long[] recoveredTimes = fleet.recovered(affected);
      Stats noticed = Stats.of(noticedTimes, noticedTimes.length);
      Stats s = Stats.of(recoveredTimes, recoveredTimes.length);
      int stuck = affected.size() - recoveredTimes.length;
      double removeMs = list.removedAt(victimId, t0) == 0 ? Double.NaN : (list.removedAt(victimId, t0) - t0) / 1e6;
      table.append(String.format(Locale.ROOT, "| %s | %d | %d%s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f× |%n",
          "KILL".equals(signal) ? "kill -9" : "SIGSTOP", pool, affected.size(), stuck == 0 ? "" : " (" + stuck + " not in 60 s)",
          noticed.p50(), s.p50(), s.p99(), s.max(), removeMs, s.p50() / removeMs));
      System.out.printf("failover %s pool %d: %d clients moved, noticed p50 %.0f ms, recovered p50 %.0f ms, p99 %.0f ms; coordinator remove %.0f ms%n",
          signal, pool, affected.size(), noticed.p50(), s.p50(), s.p99(), removeMs);
      if ("STOP".equals(signal)) {
        victim.signal("CONT");
      }
    }
  }
}
