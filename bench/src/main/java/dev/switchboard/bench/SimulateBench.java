package dev.switchboard.bench;

import dev.switchboard.bench.sim.Scenario;
import dev.switchboard.bench.sim.SimConfig;
import dev.switchboard.bench.sim.SimResult;
import dev.switchboard.bench.sim.Simulation;
import dev.switchboard.client.policy.Policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --scenario simulate}: the balance simulator (dev.switchboard.bench.sim) at internet scale —
 * cold start, kill 10 %, scale-out ×2 — for each policy, on one thread and virtual time.
 */
final class SimulateBench {

  private final int clients;
  private final int backends;
  private final int seed;
  private final List<Policy> policies;

  SimulateBench(int clients, int backends, int seed, List<Policy> policies) {
    this.clients = clients;
    this.backends = backends;
    this.seed = seed;
    this.policies = policies;
  }

  String run() {
    List<SimResult> results = new ArrayList<>();
    long started = System.nanoTime();
    for (Scenario scenario : Scenario.values()) {
      for (Policy policy : policies) {
        SimResult r = Simulation.run(SimConfig.of(policy, clients, backends, seed), scenario);
        System.out.printf(Locale.ROOT, "simulate: %s, %s: max/mean %s, moves %,d (min %,d), %,d ms%n", scenario.label(),
            policy.wire(), r.maxOverMean(), r.plannedMoves() + r.failovers(), r.minMoves(), r.wallMs());
        results.add(r);
      }
    }
    long totalMs = (System.nanoTime() - started) / 1_000_000;
    SimConfig model = SimConfig.of(policies.get(0), clients, backends, seed);
    StringBuilder balance = new StringBuilder("| scenario | policy | max/mean after 1 s | 5 s | 10 s | 30 s | 60 s "
        + "| balanced (≤ " + model.rebalanceThreshold() + "×, all connected) after |\n|---|---|---|---|---|---|---|---|\n");
    StringBuilder moves = new StringBuilder("| scenario | policy | moves (planned + failovers) | minimum | moves / minimum "
        + "| clients moved twice | peak arrivals / backend / s | peak in 100 ms | kill: all reconnected after "
        + "| kill: attempts to dead (own lost) | asked / declined / still there at the deadline (drain: closed, rebalance: lapsed) | simulator wall time |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (SimResult r : results) {
      balance.append("| ").append(r.scenario().label()).append(" | ").append(r.policy());
      r.maxOverMean().forEach(v -> balance.append(String.format(Locale.ROOT, " | %.3f", v)));
      balance.append(" | ").append(r.convergedMs() < 0 ? "not within " + model.horizonMs() / 1000 + " s"
          : String.format(Locale.ROOT, "%.1f s", r.convergedMs() / 1000.0)).append(" |\n");
      long moved = r.plannedMoves() + r.failovers();
      moves.append("| ").append(r.scenario().label()).append(" | ").append(r.policy())
          .append(String.format(Locale.ROOT, " | %,d | %,d | %s | %,d | %,d | %,d | %s | %s | %,d / %,d / %,d | %.1f s |%n",
              moved, r.minMoves(), r.minMoves() == 0 ? "—" : String.format(Locale.ROOT, "%.2f×", (double) moved / r.minMoves()),
              r.clientsMovedTwice(), r.peakArrivalsPerSecond(), r.peakArrivalsPer100Ms(),
              r.scenario() != Scenario.KILL ? "—" : r.reconnectMaxMs() < 0 ? "not all" : r.reconnectMaxMs() + " ms",
              r.scenario() != Scenario.KILL ? "—" : String.format(Locale.ROOT, "%,d (%,d)", r.attemptsToDead(), r.attemptsToOwnLost()),
              r.askedToMove(), r.declinedMoves(), r.closedAtDeadline(), r.wallMs() / 1000.0));
    }
    return String.format(Locale.ROOT, "A deterministic discrete-event simulation (virtual time, one thread, seed %d) of "
        + "%,d clients over %,d backends (kill: %,d of them die; scale-out: %,d → %,d), each backend weight %d and "
        + "capacity %,d, driving the real client `Policy` selectors, `Backoff`, `MoveHint` and the backend's rebalance "
        + "plan; the client's decision order around them is restated (docs/balance.md says what is real and what is "
        + "glue). Model: each backend writes its count as BackendRegistration does (a first change at once, then at most once per %,d ms) and every list shows each write at once (membership too), connect latency %.0f–%.0f ms, "
        + "after kill -9 sockets close within %d–%d ms and the list drops the backend after %d ms; no CPU model. "
        + "Loads are true counts; max/mean is the largest backend over its weighted fair share. Kill and scale-out "
        + "start from a balanced, settled fleet. Total simulator wall time %.1f s.%n%n%s%n%s",
        seed, clients, backends, Math.round(backends * model.killFraction()), backends / 2, backends, model.weight(),
        model.capacity(), model.loadReportMs(), model.connectMinUs() / 1000.0, model.connectMaxUs() / 1000.0,
        model.closeMinMs(), model.closeMaxMs(), model.removeMs(), totalMs / 1000.0, balance, moves);
  }
}
