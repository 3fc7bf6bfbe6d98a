package dev.switchboard.bench;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Vertx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One backend change → delivered to N SSE subscribers of one coordinator, then the same through nginx
 * + nchan with the same subscriber fleet and the same event data. Ours: the change is a write to the
 * cluster registry made by this JVM; nchan's: a POST of the same JSON to its publisher endpoint. Each
 * subscriber (also in this JVM) timestamps the event, so both ends use one clock.
 */
final class PropagationBench {

  private final BenchCluster cluster;
  private final Vertx vertx;
  private final int changes;
  private final long deadlineNanos;
  private final boolean withNchan;

  PropagationBench(BenchCluster cluster, Vertx vertx, int changes, long deadlineNanos, boolean withNchan) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.changes = changes;
    this.deadlineNanos = deadlineNanos;
    this.withNchan = withNchan;
  }

  String run(List<Integer> sizes) throws Exception {
    long fdLimit = openFileLimit();
    Map<String, Object> registry = cluster.registry();
    BackendRecord probe = new BackendRecord("bench-probe", "chat", "ws://127.0.0.1:1/ws", cluster.nodeId(), "local",
        BackendState.UP, 1_000_000, 1_000_000, 100, System.currentTimeMillis());
    registry.put(probe.id(), probe.toJson().encode());
    Proc coordinator = cluster.coordinator();
    long heapBaseline = coordinator.usedHeapAfterGc();
    StringBuilder table = new StringBuilder("| subscribers | samples | p50 ms | p99 ms | max ms | p99 / p99 at 1 | "
        + "coordinator heap per subscriber | coordinator CPU per delivered event |\n|---|---|---|---|---|---|---|---|\n");
    StringBuilder notes = new StringBuilder();
    List<Integer> all = new ArrayList<>(List.of(1));
    all.addAll(sizes);
    List<Integer> measurable = new ArrayList<>();
    for (int n : all) {
      if (n + 1_000 > fdLimit) {
        notes.append("- ").append(n).append(" subscribers: not measurable here — the open-file limit is ")
            .append(fdLimit).append(" per process (hard limit; raising it is not permitted on this machine), and ")
            .append("the coordinator needs one socket per subscriber (`--scenario propagation-wide` spreads more over ")
            .append("several coordinators).\n");
        System.out.printf("propagation: skipping %,d subscribers (open-file limit %,d)%n", n, fdLimit);
      } else {
        measurable.add(n);
      }
    }
    Map<Integer, FanOutRun.Row> ours = new LinkedHashMap<>();
    SubscriberFleet fleet = new SubscriberFleet(vertx, "127.0.0.1", cluster.coordinatorPort(), probe.id());
    FanOutRun.Target coordinatorTarget = new FanOutRun.Target() {
      @Override
      public void change(int c) {
        registry.put(probe.id(), probe.withConnections(c).toJson().encode());
      }

      @Override
      public long cpuNanos() throws Exception {
        return coordinator.cpuTime().toNanos();
      }
    };
    double baselineP99 = Double.NaN;
    for (int n : measurable) {
      if (System.nanoTime() > deadlineNanos) {
        notes.append("- ").append(n).append(" subscribers: skipped, the bench's time budget ran out.\n");
        continue;
      }
      System.out.printf("propagation: connecting %,d subscribers to the coordinator…%n", n);
      FanOutRun.connect(fleet, n);
      long heap = coordinator.usedHeapAfterGc();
      FanOutRun.Row row = FanOutRun.measure(coordinatorTarget, fleet, n, changes);
      ours.put(n, row);
      Stats stats = row.stats();
      if (n == 1) {
        baselineP99 = stats.p99();
      }
      System.out.printf("propagation: %,d subscribers → p50 %.2f ms, p99 %.2f ms, max %.2f ms (%,d samples)%n",
          n, stats.p50(), stats.p99(), stats.max(), stats.count());
      table.append(String.format(Locale.ROOT, "| %,d | %,d | %.2f | %.2f | %.2f | %.1f× | %s | %.1f µs |%n",
          n, stats.count(), stats.p50(), stats.p99(), stats.max(), stats.p99() / baselineP99,
          n == 1 ? "—" : String.format(Locale.ROOT, "%.1f KiB", (heap - heapBaseline) / 1024.0 / n), row.cpuMicrosPerEvent()));
      row.missing(n, changes).ifPresent(m -> notes.append("- ").append(n).append(" subscribers (Switchboard): ").append(m).append('\n'));
    }
    fleet.close().await(2, TimeUnit.MINUTES);
    registry.remove(probe.id());
    String comparison = withNchan
        ? new NchanComparison(vertx, changes, deadlineNanos, fdLimit).run(measurable, ours,
            c -> probe.withConnections(c).toJson().encode(), probe.id(), notes)
        : "";
    return "One registry change → `upsert` received by every subscriber; " + changes
        + " changes per size, one at a time, after " + FanOutRun.WARM_UP + " unmeasured warm-up changes. Latency runs from the registry write to the event parsed by the "
        + "subscriber; coordinator, subscribers and writer share this machine's cores, so client-side parsing "
        + "of N streams is inside the figures. Heap per subscriber = (used heap after full GC with N streams − "
        + "with none) / N; CPU per event = (coordinator process CPU time during the changes − its idle CPU over the same time) / events delivered; /proc counts CPU in 10 ms ticks, so small sizes are coarse.\n\n"
        + table + comparison + (notes.length() == 0 ? "" : "\n" + notes);
  }

  static long openFileLimit() {
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
