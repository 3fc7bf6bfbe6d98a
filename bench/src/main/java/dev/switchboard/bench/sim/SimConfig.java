package dev.switchboard.bench.sim;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.client.SwitchboardClientOptions;
import dev.switchboard.client.policy.Policy;

/**
 * One simulated run's sizes and model. The client and backend figures default to the real defaults
 * ({@link SwitchboardClientOptions}, {@link BackendOptions}); the model figures (latencies, detection)
 * come from what BENCHMARKS.md measured on real JVMs.
 *
 * @param backends the backends after the event (scale-out starts from half of them)
 * @param capacity per backend; default 4 × clients / backends, so the scale-out's starting half (2 × the
 *     final share each) is not near full
 * @param connectMinUs a connection attempt's outcome (open or refused) comes after a delay uniform in
 *     [connectMinUs, connectMaxUs]; the same delay carries a drain frame to its client
 * @param closeMinMs after kill -9 each client sees its socket close after a delay uniform in [closeMinMs, closeMaxMs]
 * @param removeMs after kill -9 the coordinators drop the dead backends from the list this much later
 * @param loadReportMs a backend writes its count to the registry at most this often, the first change after a
 *     quiet period at once (as BackendRegistration coalesces); the list shows what was written, membership at once
 */
public record SimConfig(
    Policy policy,
    int clients,
    int backends,
    int seed,
    int capacity,
    int weight,
    int connectMinUs,
    int connectMaxUs,
    long closeMinMs,
    long closeMaxMs,
    long removeMs,
    double killFraction,
    double failoverRate,
    long baseMs,
    long maxMs,
    double jitter,
    boolean rebalance,
    long rebalanceIntervalMs,
    double rebalanceThreshold,
    long rebalanceDeadlineMs,
    long rebalanceHoldDownMs,
    long loadReportMs,
    long preEventMs,
    long horizonMs) {

  /** When the kill and the scale-out happen: after the rebalance rounds have seen the fleet settled. */
  public static final long DEFAULT_PRE_EVENT_MS = 5_000;
  /** How long after the event the run goes on. */
  public static final long DEFAULT_HORIZON_MS = 60_000;
  /** kill -9 to the coordinators' remove at a subscriber: the detection bench's p50. */
  public static final long DEFAULT_REMOVE_MS = 333;

  public SimConfig {
    if (clients < 1 || clients > EventQueue.MAX_INDEX || backends < 2 || backends > EventQueue.MAX_INDEX) {
      throw new IllegalArgumentException("clients must be in 1.." + EventQueue.MAX_INDEX + ", backends >= 2: "
          + clients + ", " + backends);
    }
    if (preEventMs + horizonMs + 10_000 > Integer.MAX_VALUE / 1000) {
      throw new IllegalArgumentException("a run must fit in " + Integer.MAX_VALUE / 1_000_000 + " s of virtual time");
    }
  }

  /** The real defaults at this size. */
  public static SimConfig of(Policy policy, int clients, int backends, int seed) {
    return new SimConfig(policy, clients, backends, seed,
        (int) Math.max(1, Math.ceil(4.0 * clients / backends)), 100,
        2_000, 10_000,
        20, 80, DEFAULT_REMOVE_MS,
        0.10,
        SwitchboardClientOptions.DEFAULT_FAILOVER_RATE,
        SwitchboardClientOptions.DEFAULT_BASE_MS,
        SwitchboardClientOptions.DEFAULT_MAX_MS,
        SwitchboardClientOptions.DEFAULT_JITTER,
        BackendOptions.DEFAULT_REBALANCE,
        BackendOptions.DEFAULT_REBALANCE_INTERVAL_MS,
        BackendOptions.DEFAULT_REBALANCE_THRESHOLD,
        BackendOptions.DEFAULT_REBALANCE_DEADLINE_MS,
        BackendOptions.DEFAULT_REBALANCE_HOLD_DOWN_MS,
        BackendOptions.DEFAULT_LOAD_REPORT_MS,
        DEFAULT_PRE_EVENT_MS,
        DEFAULT_HORIZON_MS);
  }

  /** The same run with another seed. */
  public SimConfig withSeed(int seed) {
    return new SimConfig(policy, clients, backends, seed, capacity, weight, connectMinUs, connectMaxUs,
        closeMinMs, closeMaxMs, removeMs, killFraction, failoverRate, baseMs, maxMs, jitter, rebalance,
        rebalanceIntervalMs, rebalanceThreshold, rebalanceDeadlineMs, rebalanceHoldDownMs, loadReportMs, preEventMs,
        horizonMs);
  }

  /** The same run with rebalance rounds on or off. */
  public SimConfig withRebalance(boolean rebalance) {
    return new SimConfig(policy, clients, backends, seed, capacity, weight, connectMinUs, connectMaxUs,
        closeMinMs, closeMaxMs, removeMs, killFraction, failoverRate, baseMs, maxMs, jitter, rebalance,
        rebalanceIntervalMs, rebalanceThreshold, rebalanceDeadlineMs, rebalanceHoldDownMs, loadReportMs, preEventMs,
        horizonMs);
  }
}
