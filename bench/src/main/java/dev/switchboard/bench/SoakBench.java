package dev.switchboard.bench;

import dev.switchboard.client.SwitchboardClientOptions;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Detection under starvation: the coordinator, two backend-node JVMs and a few hundred clients, with a
 * CPU hog (one busy thread per core, a JVM of its own) for the whole run. Nothing fails, so every
 * {@code remove} of one of the two backends on the coordinator's stream is a false alarm (goal 0), as
 * is every client failover (goal 0); suspect upserts and the clients' heartbeat round trips show how
 * close it came.
 */
final class SoakBench {

  private static final String SERVICE = "soak";
  private static final Duration BASELINE = Duration.ofSeconds(10);
  private static final Duration PROGRESS = Duration.ofSeconds(10);

  private final BenchCluster cluster;
  private final Vertx vertx;
  private final int clients;
  private final int seconds;
  private final List<String> nodeArgs;

  SoakBench(BenchCluster cluster, Vertx vertx, int clients, int seconds, List<String> nodeArgs) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.clients = clients;
    this.seconds = seconds;
    this.nodeArgs = nodeArgs;
  }

  String run() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    try (Proc a = cluster.serviceNode("bench-soak-a", "384m", SERVICE, 1, nodeArgs);
         Proc b = cluster.serviceNode("bench-soak-b", "384m", SERVICE, 1, nodeArgs);
         ListWatch watch = ListWatch.open(vertx, cluster.coordinatorUrl(), SERVICE);
         Fleet fleet = new Fleet(vertx, BenchMain.EVENT_LOOPS, clients, i -> new SwitchboardClientOptions()
             .setCoordinators(List.of(cluster.coordinatorUrl())).setService(SERVICE))) {
      watch.await("the two backends of " + SERVICE, Duration.ofSeconds(120), l -> l.size() == 2);
      fleet.start(Duration.ofSeconds(1));
      fleet.awaitOpen(Duration.ofSeconds(120));
      // the baseline starts once the start-up moves are over (or a minute has passed)
      fleet.awaitBalanced(watch.backends().keySet(), 1, BalanceBench.BALANCED, Duration.ofSeconds(60));
      fleet.resetCounts();
      Thread.sleep(BASELINE.toMillis()); // heartbeats run on the clients' own clock: a fixed window of them
      Stats baseline = fleet.rtt();
      System.out.printf(Locale.ROOT, "soak: %d clients on 2 backends; heartbeat RTT without load p50 %.1f ms, p99 %.1f ms (%d samples)%n",
          clients, baseline.p50(), baseline.p99(), baseline.count());

      fleet.resetCounts();
      watch.reset();
      long elapsedNanos;
      Duration hogCpu;
      Duration coordinatorCpu;
      String benchJar = SoakBench.class.getProtectionDomain().getCodeSource().getLocation().getPath();
      // the hog's own deadline is a backstop: it is killed (by pid) as soon as the soak ends
      try (Proc hog = cluster.javaMain(benchJar, "bench-soak-hog", CpuHog.class.getName(), String.valueOf(cores),
          String.valueOf(seconds + 60))) {
        hog.await("cpu hog: ", Duration.ofSeconds(60));
        long t0 = System.nanoTime();
        Duration hog0 = hog.cpuTime();
        Duration coordinator0 = cluster.coordinator().cpuTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
          TimeUnit.NANOSECONDS.sleep(Math.min(PROGRESS.toNanos(), end - System.nanoTime()));
          Stats rtt = fleet.rtt();
          System.out.printf(Locale.ROOT, "soak: %3d/%d s: removes %d, suspect upserts %d, failovers %d, moves %d, RTT p99 %.1f ms, max %.1f ms%n",
              TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), seconds, watch.removals().size(), watch.suspectUpserts(),
              fleet.failovers(), fleet.moves(), rtt.p99(), rtt.max());
        }
        elapsedNanos = System.nanoTime() - t0;
        hogCpu = hog.cpuTime().minus(hog0);
        coordinatorCpu = cluster.coordinator().cpuTime().minus(coordinator0);
      }
      Stats rtt = fleet.rtt();
      double hogCores = hogCpu.toNanos() / (double) elapsedNanos;
      Map<String, Integer> reasons = new TreeMap<>();
      watch.removals().forEach(r -> reasons.merge(r.reason(), 1, Integer::sum));
      List<String> dead = new ArrayList<>();
      if (!a.alive()) {
        dead.add("bench-soak-a");
      }
      if (!b.alive()) {
        dead.add("bench-soak-b");
      }
      System.out.printf(Locale.ROOT, "soak: %d s under a hog of %d threads (it got %.2f of %d cores; coordinator %.2f): %d removes %s, "
              + "%d suspect upserts (%d flaps), %d failovers (%s), %d moves; RTT p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d samples)%s%n",
          seconds, cores, hogCores, cores, coordinatorCpu.toNanos() / (double) elapsedNanos, watch.removals().size(), reasons,
          watch.suspectUpserts(), watch.suspectFlaps(), fleet.failovers(), fleet.failoverReasons(), fleet.moves(), rtt.p50(),
          rtt.p99(), rtt.max(), rtt.count(), dead.isEmpty() ? "" : "; NODE JVMs DIED: " + dead);
      return String.format(Locale.ROOT, "%d clients (default options: round-robin, a pool of one, heartbeat every 2 s, "
          + "timeout 5 s) on two backend-node JVMs of one backend each, all alive throughout%s, while a CPU hog (a JVM with "
          + "one busy thread per core, %d) runs for %d s beside the coordinator, the nodes and the clients; the fleet shares "
          + "this bench JVM (one Vert.x, " + BenchMain.EVENT_LOOPS + " event loops) and the machine's %d cores with all of them. Counted on a list "
          + "subscriber of the coordinator: `remove` events of the two backends (each a false alarm: goal 0) and upserts "
          + "flagged `\"suspect\": true` (a coordinator without a suspect stage sends none); by the clients: failovers "
          + "(goal 0) and their heartbeat round trips (their own event loops are starved too, so the figure includes "
          + "that). Detection settings are the coordinator's and nodes' defaults of the build under test%s. Baseline "
          + "round trips: the same fleet for %d s before the hog starts, once its start-up moves settled. The hog's "
          + "share shows how hard it pressed: other processes on the machine compete with it too.%n%n"
          + "| seconds | clients | hog: cores it got | coordinator CPU, cores | removes of live backends (goal 0) "
          + "| suspect upserts (turned suspect) | client failovers (goal 0) | planned moves | RTT p50 ms | RTT p99 ms "
          + "| RTT max ms | samples | RTT p99 before the hog |%n|---|---|---|---|---|---|---|---|---|---|---|---|---|%n"
          + "| %d | %d | %.2f of %d | %.2f | %d%s | %d (%d) | %d%s | %d | %.1f | %.1f | %.1f | %,d | %.1f ms |%n",
          clients, dead.isEmpty() ? "" : " (except " + dead + ", which died)", cores, seconds, cores,
          nodeArgs.isEmpty() ? "" : " (nodes with `" + String.join(" ", nodeArgs) + "`)", BASELINE.toSeconds(),
          seconds, clients, hogCores, cores, coordinatorCpu.toNanos() / (double) elapsedNanos, watch.removals().size(),
          reasons.isEmpty() ? "" : " " + reasons, watch.suspectUpserts(), watch.suspectFlaps(), fleet.failovers(),
          fleet.failovers() == 0 ? "" : " (" + fleet.failoverReasons() + ")", fleet.moves(), rtt.p50(), rtt.p99(), rtt.max(),
          rtt.count(), baseline.p99());
    }
  }
}
