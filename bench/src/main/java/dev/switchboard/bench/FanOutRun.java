package dev.switchboard.bench;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** One measured fan-out: numbered changes, one at a time, to a connected subscriber fleet, with the server's CPU. */
final class FanOutRun {

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

  static Row measure(Target target, SubscriberFleet fleet, int n, int changes) throws Exception {
    fleet.expect(changes, n);
    // the server's idle CPU (heartbeats, timers) over the same wall time is subtracted below
    long idleStart = target.cpuNanos();
    long idleWall = System.nanoTime();
    Thread.sleep(2_000);
    double idlePerNano = (target.cpuNanos() - idleStart) / (double) (System.nanoTime() - idleWall);
    long cpuBefore = target.cpuNanos();
    long harnessBefore = ProcCpu.ticks(ProcessHandle.current().pid());
    long wallBefore = System.nanoTime();
    long delivered = 0;
    for (int c = 0; c < changes; c++) {
      fleet.sent(c, System.nanoTime());
      target.change(c);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (fleet.received(c) < n && System.nanoTime() < until) {
        Thread.sleep(2);
      }
      delivered += Math.min(n, fleet.received(c));
      Thread.sleep(100); // let the system settle between changes; not part of any latency
    }
    long harness = (ProcCpu.ticks(ProcessHandle.current().pid()) - harnessBefore) * 10_000_000L;
    long cpu = Math.max(0, target.cpuNanos() - cpuBefore - (long) (idlePerNano * (System.nanoTime() - wallBefore)));
    long[] samples = new long[(int) delivered];
    int k = 0;
    for (int c = 0; c < changes; c++) {
      int got = Math.min(n, fleet.received(c));
      System.arraycopy(fleet.latencies(c), 0, samples, k, got);
      k += got;
    }
    return new Row(Stats.of(samples, k), delivered == 0 ? Double.NaN : cpu / 1e3 / delivered,
        delivered == 0 ? Double.NaN : harness / 1e3 / delivered, delivered);
  }
}
