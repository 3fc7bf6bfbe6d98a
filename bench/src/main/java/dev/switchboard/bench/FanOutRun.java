package dev.switchboard.bench;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** One measured fan-out: numbered changes, one at a time, to a connected subscriber fleet, with the server's CPU. */
final class FanOutRun {

  /** Changes sent first at every size and not measured: the server and the fleet warm up on them. */
  static final int WARM_UP = 5;

  private FanOutRun() {
  }

  /** The server under test: how to make change {@code c}, and its process CPU time so far. */
  interface Target {
    void change(int c) throws Exception;

    long cpuNanos() throws Exception;
  }

  /**
   * The latencies of one size, the server's CPU per delivered event, this JVM's (the fleet's, with the
   * writer) CPU per delivered event, and the deliveries.
   */
  record Row(Stats stats, double cpuMicrosPerEvent, double harnessMicrosPerEvent, long delivered) {

    /** A note when some deliveries did not arrive. */
    Optional<String> missing(int subscribers, int changes) {
      long expected = (long) subscribers * changes;
      return delivered < expected
          ? Optional.of((expected - delivered) + " of " + expected + " deliveries did not arrive within 60 s.")
          : Optional.empty();
    }
  }

  static void connect(SubscriberFleet fleet, int n) throws Exception {
    fleet.connectTo(n, () -> {
      if (fleet.connected() % 5_000 == 0) {
        System.out.printf("  %,d connected%n", fleet.connected());
      }
    }).await(10, TimeUnit.MINUTES);
  }

  /** Makes {@link #WARM_UP} changes, then {@code changes} measured ones, each awaited by all {@code n} subscribers. */
  static Row measure(Target target, SubscriberFleet fleet, int n, int changes) throws Exception {
    fleet.expect(WARM_UP + changes, n);
    for (int c = 0; c < WARM_UP; c++) {
      send(target, fleet, n, c);
    }
    // the server's idle CPU (heartbeats, timers) over the same wall time is subtracted below
    long idleStart = target.cpuNanos();
    long idleWall = System.nanoTime();
    Thread.sleep(2_000);
    double idlePerNano = (target.cpuNanos() - idleStart) / (double) (System.nanoTime() - idleWall);
    long cpuBefore = target.cpuNanos();
    long harnessBefore = ProcCpu.ticks(ProcessHandle.current().pid());
    long wallBefore = System.nanoTime();
    long delivered = 0;
    for (int c = WARM_UP; c < WARM_UP + changes; c++) {
      delivered += send(target, fleet, n, c);
    }
    long harness = (ProcCpu.ticks(ProcessHandle.current().pid()) - harnessBefore) * 10_000_000L;
    long cpu = Math.max(0, target.cpuNanos() - cpuBefore - (long) (idlePerNano * (System.nanoTime() - wallBefore)));
    int[] got = new int[WARM_UP + changes];
    int total = 0;
    for (int c = WARM_UP; c < WARM_UP + changes; c++) {
      got[c] = Math.min(n, fleet.received(c)); // read once: a late delivery may still be counting
      total += got[c];
    }
    long[] samples = new long[total];
    int k = 0;
    for (int c = WARM_UP; c < WARM_UP + changes; c++) {
      System.arraycopy(fleet.latencies(c), 0, samples, k, got[c]);
      k += got[c];
    }
    return new Row(Stats.of(samples, k), delivered == 0 ? Double.NaN : cpu / 1e3 / delivered,
        delivered == 0 ? Double.NaN : harness / 1e3 / delivered, delivered);
  }

  /** Makes change {@code c} and waits (up to 60 s) until all {@code n} have it; returns how many did. */
  private static int send(Target target, SubscriberFleet fleet, int n, int c) throws Exception {
    fleet.sent(c, System.nanoTime());
    target.change(c);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (fleet.received(c) < n && System.nanoTime() < until) {
      Thread.sleep(2);
    }
    Thread.sleep(100); // let the system settle between changes; not part of any latency
    return Math.min(n, fleet.received(c));
  }
}
