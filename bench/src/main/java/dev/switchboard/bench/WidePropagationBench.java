package dev.switchboard.bench;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Past one process's open-file limit: C coordinator JVMs × N subscribers each, the subscribers in C
 * fleet JVMs ({@link FleetMain}, one per coordinator, each under the limit). One registry change, one
 * at a time → every subscriber of every coordinator has it; the fleets report their receipt times and
 * this JVM subtracts its send time (one monotonic clock for the machine).
 */
final class WidePropagationBench {

  /** Changes sent first and not measured: each JVM compiles its hot path on them. */
  static final int WARM_UP = 3;

  private final BenchCluster cluster;
  private final String benchJar;
  private final int coordinators;
  private final int perCoordinator;
  private final int changes;

  WidePropagationBench(BenchCluster cluster, String benchJar, int coordinators, int perCoordinator, int changes) {
    this.cluster = cluster;
    this.benchJar = benchJar;
    this.coordinators = coordinators;
    this.perCoordinator = perCoordinator;
    this.changes = changes;
  }

  String run() throws Exception {
    long fdLimit = PropagationBench.openFileLimit();
    if (perCoordinator + 1_000 > fdLimit) {
      throw new IllegalArgumentException(perCoordinator + " subscribers per coordinator do not fit the open-file limit of "
          + fdLimit + " per process (each coordinator and each fleet JVM holds one socket per subscriber)");
    }
    Map<String, Object> registry = cluster.registry();
    BackendRecord probe = new BackendRecord("bench-wide-probe", "chat", "ws://127.0.0.1:1/ws", cluster.nodeId(), "local",
        BackendState.UP, 1_000_000, 1_000_000, 100, System.currentTimeMillis());
    registry.put(probe.id(), probe.toJson().encode());
    List<Proc> extra = new ArrayList<>();
    List<Proc> fleets = new ArrayList<>();
    TempDir reports = new TempDir("switchboard-wide-");
    Path dir = reports.path();
    try {
      List<Integer> ports = new ArrayList<>(List.of(cluster.coordinatorPort()));
      for (int i = 1; i < coordinators; i++) {
        System.out.printf("propagation-wide: starting coordinator JVM %d…%n", i + 1);
        Proc c = cluster.coordinatorJvm("bench-coordinator-" + (i + 1));
        extra.add(c);
        ports.add(BenchCluster.port(c));
      }
      for (int i = 0; i < coordinators; i++) {
        fleets.add(cluster.javaMainSized(benchJar, "1g", "bench-fleet-" + (i + 1), FleetMain.class.getName(), "127.0.0.1",
            String.valueOf(ports.get(i)), probe.id(), String.valueOf(perCoordinator), String.valueOf(WARM_UP + changes)));
      }
      System.out.printf("propagation-wide: %d fleet JVMs connecting %,d subscribers each…%n", coordinators, perCoordinator);
      for (Proc f : fleets) {
        f.await("fleet ready", Duration.ofMinutes(10));
      }
      Thread.sleep(2_000); // let the connection storm settle
      long[] sentAt = new long[WARM_UP + changes];
      List<Long> allHaveIt = new ArrayList<>();
      StringBuilder notes = new StringBuilder();
      for (int c = 0; c < WARM_UP + changes; c++) {
        sentAt[c] = System.nanoTime();
        registry.put(probe.id(), probe.withConnections(c).toJson().encode());
        try {
          for (Proc f : fleets) {
            f.await("fleet got " + c + "$", Duration.ofSeconds(60));
          }
          if (c >= WARM_UP) {
            allHaveIt.add(System.nanoTime() - sentAt[c]); // an upper bound: includes the fleets' 2 ms polling
          }
        } catch (IllegalStateException e) {
          notes.append("- change ").append(c).append(": not every subscriber had it within 60 s.\n");
        }
        Thread.sleep(200);
      }
      long[] samples = new long[coordinators * perCoordinator * changes];
      int k = 0;
      for (int i = 0; i < fleets.size(); i++) {
        Path file = dir.resolve("fleet-" + (i + 1) + ".txt");
        fleets.get(i).send("report " + file);
        fleets.get(i).await("fleet wrote", Duration.ofMinutes(2));
        for (String line : Files.readAllLines(file)) {
          int space = line.indexOf(' ');
          int c = Integer.parseInt(line.substring(0, space));
          if (c >= WARM_UP) {
            samples[k++] = Long.parseLong(line.substring(space + 1)) - sentAt[c];
          }
        }
      }
      Stats stats = Stats.of(samples, k);
      long[] all = allHaveIt.stream().mapToLong(Long::longValue).toArray();
      Stats last = Stats.of(all, all.length);
      System.out.printf("propagation-wide: %d × %,d subscribers → p50 %.2f ms, p99 %.2f ms, max %.2f ms (%,d samples)%n",
          coordinators, perCoordinator, stats.p50(), stats.p99(), stats.max(), stats.count());
      long expected = (long) coordinators * perCoordinator * changes;
      if (k < expected) {
        notes.append("- ").append(expected - k).append(" of ").append(expected).append(" deliveries did not arrive.\n");
      }
      return "One registry change → `upsert` received by every subscriber of " + coordinators + " coordinator JVMs, "
          + perCoordinator + " subscribers each (past one process's open-file limit of " + fdLimit + "); the subscribers "
          + "run in " + coordinators + " fleet JVMs, one per coordinator, each parsing its streams and reporting receipt "
          + "times (System.nanoTime, one monotonic clock for the machine) for this JVM to subtract its send time. "
          + changes + " changes measured, one at a time, after " + WARM_UP + " unmeasured warm-up changes. Every process — coordinators, fleets, writer — shares this machine's "
          + Runtime.getRuntime().availableProcessors() + " cores. *All have it* = from the write until every fleet "
          + "reported every subscriber had the change (the fleets poll every 2 ms).\n\n"
          + "| coordinators | subscribers each | subscribers | samples | p50 ms | p99 ms | max ms | all have it, median / max ms |\n"
          + "|---|---|---|---|---|---|---|---|\n"
          + String.format(Locale.ROOT, "| %d | %,d | %,d | %,d | %.2f | %.2f | %.2f | %.0f / %.0f |%n", coordinators, perCoordinator,
              coordinators * perCoordinator, stats.count(), stats.p50(), stats.p99(), stats.max(), last.p50(), last.max())
          + (notes.length() == 0 ? "" : "\n" + notes);
    } finally {
      for (Proc f : fleets) {
        f.close();
      }
      for (Proc c : extra) {
        c.close();
      }
      reports.close();
      registry.remove(probe.id());
    }
  }
}
