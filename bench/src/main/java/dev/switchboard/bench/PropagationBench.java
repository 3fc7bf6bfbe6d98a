package dev.switchboard.bench;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Vertx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One backend change → delivered to N SSE subscribers of one coordinator. The change is a write to
 * the cluster registry made by this JVM; each subscriber (also in this JVM) timestamps the event, so
 * both ends use one clock.
 */
final class PropagationBench {

  private final BenchCluster cluster;
  private final Vertx vertx;
  private final int changes;
  private final long deadlineNanos;

  PropagationBench(BenchCluster cluster, Vertx vertx, int changes, long deadlineNanos) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.changes = changes;
    this.deadlineNanos = deadlineNanos;
  }

  String run(List<Integer> sizes) throws Exception {
    long fdLimit = openFileLimit();
    Map<String, Object> registry = cluster.registry();
    BackendRecord probe = new BackendRecord("bench-probe", "chat", "ws://127.0.0.1:1/ws", cluster.nodeId(), "local",
        BackendState.UP, 1_000_000, 1_000_000, 100, System.currentTimeMillis());
    registry.put(probe.id(), probe.toJson().encode());
    Proc coordinator = cluster.coordinator();
    long heapBaseline = coordinator.usedHeapAfterGc();
    SubscriberFleet fleet = new SubscriberFleet(vertx, "127.0.0.1", cluster.coordinatorPort(), probe.id());
    StringBuilder table = new StringBuilder("| subscribers | samples | p50 ms | p99 ms | max ms | p99 / p99 at 1 | "
        + "coordinator heap per subscriber | coordinator CPU per delivered event |\n|---|---|---|---|---|---|---|---|\n");
    StringBuilder notes = new StringBuilder();
    double baselineP99 = Double.NaN;
    List<Integer> all = new java.util.ArrayList<>(List.of(1));
    all.addAll(sizes);
    for (int n : all) {
      if (n + 1_000 > fdLimit) {
        notes.append("- ").append(n).append(" subscribers: not measurable here — the open-file limit is ")
            .append(fdLimit).append(" per process (hard limit; raising it is not permitted on this machine), and ")
            .append("the coordinator needs one socket per subscriber.\n");
        System.out.printf("propagation: skipping %,d subscribers (open-file limit %,d)%n", n, fdLimit);
        continue;
      }
      if (System.nanoTime() > deadlineNanos) {
        notes.append("- ").append(n).append(" subscribers: skipped, the bench's time budget ran out.\n");
        continue;
      }
      System.out.printf("propagation: connecting %,d subscribers…%n", n);
      fleet.connectTo(n, () -> {
        if (fleet.connected() % 5_000 == 0) {
          System.out.printf("  %,d connected%n", fleet.connected());
        }
      }).await(10, TimeUnit.MINUTES);
      long heap = coordinator.usedHeapAfterGc();
      fleet.expect(changes, n);
      // the coordinator's idle CPU (heartbeats, timers) over the same wall time is subtracted below
      long idleStart = coordinator.cpuTime().toNanos();
      long idleWall = System.nanoTime();
      Thread.sleep(2_000);
      double idlePerNano = (coordinator.cpuTime().toNanos() - idleStart) / (double) (System.nanoTime() - idleWall);
      long cpuBefore = coordinator.cpuTime().toNanos();
      long wallBefore = System.nanoTime();
      long delivered = 0;
      for (int c = 0; c < changes; c++) {
        fleet.sent(c, System.nanoTime());
        registry.put(probe.id(), probe.withConnections(c).toJson().encode());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (fleet.received(c) < n && System.nanoTime() < until) {
          Thread.sleep(2);
        }
        delivered += Math.min(n, fleet.received(c));
        Thread.sleep(100); // let the system settle between changes; not part of any latency
      }
      long cpu = Math.max(0, coordinator.cpuTime().toNanos() - cpuBefore
          - (long) (idlePerNano * (System.nanoTime() - wallBefore)));
      long[] samples = new long[(int) delivered];
      int k = 0;
      for (int c = 0; c < changes; c++) {
        int got = Math.min(n, fleet.received(c));
        System.arraycopy(fleet.latencies(c), 0, samples, k, got);
        k += got;
      }
      Stats stats = Stats.of(samples, k);
      if (n == 1) {
        baselineP99 = stats.p99();
      }
      System.out.printf("propagation: %,d subscribers → p50 %.2f ms, p99 %.2f ms, max %.2f ms (%,d samples)%n",
          n, stats.p50(), stats.p99(), stats.max(), stats.count());
      table.append(String.format(Locale.ROOT, "| %,d | %,d | %.2f | %.2f | %.2f | %.1f× | %s | %.1f µs |%n",
          n, stats.count(), stats.p50(), stats.p99(), stats.max(), stats.p99() / baselineP99,
          n == 1 ? "—" : String.format(Locale.ROOT, "%.1f KiB", (heap - heapBaseline) / 1024.0 / n),
          delivered == 0 ? Double.NaN : cpu / 1e3 / delivered));
      if (delivered < (long) n * changes) {
        notes.append("- ").append(n).append(" subscribers: ").append((long) n * changes - delivered)
            .append(" of ").append((long) n * changes).append(" deliveries did not arrive within 60 s.\n");
      }
    }
    fleet.close().await(2, TimeUnit.MINUTES);
    registry.remove(probe.id());
    return "One registry change → `upsert` received by every subscriber; " + changes
        + " changes per size, one at a time. Latency runs from the registry write to the event parsed by the "
        + "subscriber; coordinator, subscribers and writer share this machine's cores, so client-side parsing "
        + "of N streams is inside the figures. Heap per subscriber = (used heap after full GC with N streams − "
        + "with none) / N; CPU per event = (coordinator process CPU time during the changes − its idle CPU over the same time) / events delivered; /proc counts CPU in 10 ms ticks, so small sizes are coarse.\n\n"
        + table + (notes.length() == 0 ? "" : "\n" + notes);
  }

  private static long openFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          return Long.parseLong(line.replaceAll("\\s+", " ").split(" ")[3]);
        }
      }
    } catch (Exception e) {
      // fall through
    }
    return Long.MAX_VALUE;
  }
}
