package dev.switchboard.bench;

import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The propagation sizes again against nginx + nchan, with the same subscriber fleet and the same event
 * data, and the table that sets both side by side.
 */
final class NchanComparison {

  private final Vertx vertx;
  private final int changes;
  private final long deadlineNanos;
  private final long fdLimit;

  NchanComparison(Vertx vertx, int changes, long deadlineNanos, long fdLimit) {
    this.vertx = vertx;
    this.changes = changes;
    this.deadlineNanos = deadlineNanos;
    this.fdLimit = fdLimit;
  }

  /**
   * Measures every size of {@code ours} through nchan and returns the comparison table (markdown);
   * says so, and returns only that, when nginx with nchan cannot be installed or started.
   *
   * @param data the event data of change {@code c}, as the coordinator sends it
   */
  String run(List<Integer> sizes, Map<Integer, FanOutRun.Row> ours, IntFunction<String> data, String probeId,
      StringBuilder notes) throws Exception {
    String missing = NchanServer.ensureInstalled();
    if (missing != null) {
      System.out.println("propagation: nginx + nchan not measured: " + missing);
      return "\n**Against nginx + nchan:** not measured — " + missing + ".\n";
    }
    try (TempDir prefix = new TempDir("switchboard-nchan-")) {
      return runIn(prefix.path(), sizes, ours, data, probeId, notes);
    }
  }

  private String runIn(Path dir, List<Integer> sizes, Map<Integer, FanOutRun.Row> ours, IntFunction<String> data,
      String probeId, StringBuilder notes) throws Exception {
    int workers = Runtime.getRuntime().availableProcessors();
    int largest = sizes.stream().mapToInt(Integer::intValue).max().orElse(1);
    Map<Integer, FanOutRun.Row> theirs = new LinkedHashMap<>();
    NchanServer started;
    try {
      started = NchanServer.start(dir, workers, largest, fdLimit);
    } catch (java.io.IOException e) {
      System.out.println("propagation: nginx + nchan not measured: " + e.getMessage());
      return "\n**Against nginx + nchan:** not measured — nginx did not start: " + e.getMessage() + ".\n";
    }
    System.out.println("propagation: the subscriber fleet shares this machine's " + Runtime.getRuntime().availableProcessors()
        + " cores with the server under test (both Switchboard and nchan)");
    try (NchanServer nchan = started) {
      System.out.printf("propagation: nginx + nchan on port %d (pid %d, %d workers, prefix %s)%n", nchan.port(), nchan.pid(),
          workers, dir);
      for (int n : sizes) {
        if (!ours.containsKey(n)) {
          continue;
        }
        if (System.nanoTime() > deadlineNanos) {
          notes.append("- ").append(n).append(" subscribers (nchan): skipped, the bench's time budget ran out.\n");
          continue;
        }
        String channel = "bench-" + n; // a fresh channel per size: no message of an earlier size is replayed
        SubscriberFleet fleet = new SubscriberFleet(vertx, "127.0.0.1", nchan.port(), NchanServer.subscribePath(channel), probeId);
        System.out.printf("propagation: connecting %,d subscribers to nchan…%n", n);
        FanOutRun.connect(fleet, n);
        FanOutRun.Row row = FanOutRun.measure(new FanOutRun.Target() {
          @Override
          public void change(int c) throws Exception {
            nchan.publish(channel, data.apply(c));
          }

          @Override
          public long cpuNanos() {
            return nchan.cpuTime().toNanos();
          }
        }, fleet, n, changes);
        fleet.close().await(2, TimeUnit.MINUTES);
        theirs.put(n, row);
        System.out.printf("propagation: nchan, %,d subscribers → p50 %.2f ms, p99 %.2f ms%n", n, row.stats().p50(),
            row.stats().p99());
        row.missing(n, changes).ifPresent(m -> notes.append("- ").append(n).append(" subscribers (nchan): ").append(m).append('\n'));
      }
    }
    return table(ours, theirs, workers);
  }

  private static String table(Map<Integer, FanOutRun.Row> ours, Map<Integer, FanOutRun.Row> theirs, int workers) {
    StringBuilder t = new StringBuilder("\n**Against nginx + nchan** (the same subscriber fleet and event data; nginx "
        + "1 master + " + workers + " workers, `nchan_subscriber eventsource`, one channel per size; a change is a POST to "
        + "its publisher endpoint, timed from just before the POST — ours from just before the registry write, so ours "
        + "also carries a Hazelcast hop). The fleet (this JVM, 4 event loops) shares the machine's "
        + Runtime.getRuntime().availableProcessors() + " cores with the server under test, so both figures include "
        + "client-side parsing of N streams; the *harness* columns give its own cost: p99 with one subscriber, and "
        + "this JVM's CPU per delivered event (fleet + writer).\n\n"
        + "| subscribers | Switchboard p50 / p99 ms | nchan p50 / p99 ms | p99 Switchboard ÷ nchan | "
        + "coordinator CPU per event | nginx CPU per event | CPU ÷ | harness p99 at 1 (ours / nchan) | "
        + "harness CPU per event (ours / nchan) |\n|---|---|---|---|---|---|---|---|---|\n");
    FanOutRun.Row ourOne = ours.get(1);
    FanOutRun.Row theirOne = theirs.get(1);
    for (Map.Entry<Integer, FanOutRun.Row> e : theirs.entrySet()) {
      FanOutRun.Row a = ours.get(e.getKey());
      FanOutRun.Row b = e.getValue();
      t.append(String.format(Locale.ROOT, "| %,d | %.2f / %.2f | %.2f / %.2f | %s | %.1f µs | %.1f µs | %s | %s / %s | %.1f / %.1f µs |%n",
          e.getKey(), a.stats().p50(), a.stats().p99(), b.stats().p50(), b.stats().p99(), ratio(a.stats().p99(), b.stats().p99()),
          a.cpuMicrosPerEvent(), b.cpuMicrosPerEvent(), ratio(a.cpuMicrosPerEvent(), b.cpuMicrosPerEvent()),
          ms(ourOne), ms(theirOne), a.harnessMicrosPerEvent(), b.harnessMicrosPerEvent()));
    }
    return t.toString();
  }

  /** {@code a / b}, or a dash when b is 0 (/proc counts CPU in 10 ms ticks: a small size may show none). */
  private static String ratio(double a, double b) {
    return b > 0 && Double.isFinite(a) ? String.format(Locale.ROOT, "%.2f×", a / b) : "—";
  }

  private static String ms(FanOutRun.Row row) {
    return row == null ? "—" : String.format(Locale.ROOT, "%.2f ms", row.stats().p99());
  }
}
