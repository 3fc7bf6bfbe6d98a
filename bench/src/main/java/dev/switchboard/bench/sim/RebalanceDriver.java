package dev.switchboard.bench.sim;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.impl.RebalanceGate;
import dev.switchboard.backend.impl.RebalancePlan;
import dev.switchboard.backend.impl.ShedPicker;
import dev.switchboard.client.MoveHint;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.WsMessage;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The backends' rebalance rounds, each backend a node of its own. The real pieces decide —
 * {@link RebalanceGate} (cooldown, quiet node, settled membership), {@link RebalancePlan} (who sheds how
 * many, which ids to prefer), {@link ShedPicker} (which clients: hold-down, oldest first) and the real
 * {@link WsMessage.Drain} frame read by {@link MoveHint#of}. The glue restates {@code Rebalancer.act} /
 * {@code recordSheds} and {@code BackendVerticle.shed} around them, which are bound to Vert.x.
 */
final class RebalanceDriver {

  private final Simulation sim;
  private final Fleet fleet;
  private final ClientGlue clients;
  private final SimConfig config;
  private final RebalanceGate[] gates;
  private final long holdDownNanos;
  private final long recoveryWaitMs;

  RebalanceDriver(Simulation sim, Fleet fleet, ClientGlue clients, SimConfig config) {
    this.sim = sim;
    this.fleet = fleet;
    this.clients = clients;
    this.config = config;
    this.gates = new RebalanceGate[fleet.size];
    for (int b = 0; b < gates.length; b++) {
      // as Rebalancer builds it
      gates[b] = new RebalanceGate(config.rebalanceDeadlineMs() + 2 * config.loadReportMs(), 2 * config.loadReportMs());
    }
    this.holdDownNanos = config.rebalanceHoldDownMs() * 1_000_000;
    // as Rebalancer: as long as a plain drain gives clients to move, never less than the cooldown
    this.recoveryWaitMs = Math.max(BackendOptions.DEFAULT_DRAIN_MS, config.rebalanceDeadlineMs() + 2 * config.loadReportMs());
    clients.stayHandler(this::askInPlace);
  }

  /** BackendVerticle.askInPlaceOfAStay: the next client the round would have picked gets the same frame. */
  private void askInPlace(Ask stayed) {
    List<Integer> next = ShedPicker.pick(fleet.oldestFirst(stayed.backend()), 1, sim.now() * 1000L, holdDownNanos,
        c -> clients.connectedAt[c] * 1000L, clients::movedIn, clients::asked);
    if (!next.isEmpty()) {
      clients.ask(next.get(0), clients.newAsk(stayed.backend(), stayed.hint()), config.rebalanceHoldDownMs() * 1000);
      sim.counts().asked(1);
    }
  }

  /** One round of backend {@code b}'s node: {@code Rebalancer.act}, then {@code recordSheds}. */
  void round(int b) {
    long nowMs = sim.now() / 1000;
    RebalanceGate gate = gates[b];
    // the registry holds what the backends last wrote, as the list does; the local backend counts live
    BackendRecord live = fleet.record(b, fleet.connections[b]);
    boolean quiet = gate.quiet(clients.movesInFlight(b) ? Set.of(fleet.id(b)) : Set.of(), nowMs);
    RebalancePlan plan = RebalancePlan.of(sim.list(), List.of(live), gate.coolingDown(nowMs), config.rebalanceThreshold());
    boolean settled = true;
    for (Map.Entry<String, Set<String>> service : plan.members().entrySet()) {
      settled &= gate.settled(service.getKey(), service.getValue(), nowMs);
      settled &= gate.recovered(service.getKey(), plan.totals().get(service.getKey()), nowMs);
      settled &= gate.steady(service.getKey(), plan.totals().get(service.getKey()));
    }
    if (!quiet || !settled || plan.sheds().isEmpty()) {
      return;
    }
    plan.totals().forEach((service, total) -> gate.shedFrom(service, total, nowMs, recoveryWaitMs));
    for (RebalancePlan.Shed shed : plan.sheds()) {
      // BackendVerticle.shed: the sessions oldest first, past the hold-down, not asked already
      List<Integer> asked = ShedPicker.pick(fleet.oldestFirst(b), shed.count(), sim.now() * 1000, holdDownNanos,
          c -> clients.connectedAt[c] * 1000L, clients::movedIn, clients::asked);
      if (asked.isEmpty()) {
        continue;
      }
      // each asked client to its own target of the allocation, as BackendVerticle.shed does
      List<List<Integer>> groups = ShedPicker.assign(asked, shed.moves());
      for (int k = 0; k < groups.size(); k++) {
        WsMessage.Drain frame = WsMessage.Drain.rebalance(config.rebalanceDeadlineMs(), shed.prefer(k));
        int ask = clients.newAsk(b, MoveHint.of(frame.toJson()));
        for (int c : groups.get(k)) {
          clients.ask(c, ask, config.rebalanceHoldDownMs() * 1000);
        }
      }
      sim.counts().asked(asked.size());
      gate.shed(shed.backend(), nowMs);
    }
  }
}
