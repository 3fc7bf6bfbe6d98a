package dev.switchboard.backend.impl;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.BackendVerticle;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The rebalance rounds of one node. Every interval it reads the registry, plans with the local
 * backends' live counts ({@link RebalancePlan}) and has each local backend that holds too many ask
 * its part of what the under-share backends lack to move, each asked client to its own target of the
 * allocation ({@link BackendVerticle#shed}). Then that
 * backend cools down (its move deadline plus two load-report periods, and two periods after the last of
 * its asked clients arrived elsewhere, as far as it can tell) so the registry shows the moves before it
 * is judged again. A round waits while a local move is in flight, while the service's total is short of
 * what it was at this node's last shed (clients between backends; at most a drain's deadline), and for
 * two load-report periods after the service's set of backends changed ({@link RebalanceGate}). Confined
 * to the given context.
 */
public final class Rebalancer {

  private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);

  private record Asked(RebalancePlan.Shed shed, int asked) {
  }

  private final Vertx vertx;
  private final Context context;
  private final BackendOptions options;
  private final ClusterSigner signer;
  private final Supplier<? extends Collection<BackendVerticle>> backends;
  private final RebalanceGate gate;
  /** How long a round waits at most for the service total to come back after a shed. */
  private final long recoveryWaitMs;
  private long timer = -1;
  private boolean stopped;
  private boolean inRound;

  /**
   * @param context where the rounds run
   * @param signer checks the registry's records: a forged one must not make a backend shed its clients
   * @param backends the node's serving backends
   */
  public Rebalancer(Vertx vertx, Context context, BackendOptions options, ClusterSigner signer,
      Supplier<? extends Collection<BackendVerticle>> backends) {
    this.vertx = vertx;
    this.context = context;
    this.options = new BackendOptions(options);
    this.signer = signer;
    this.backends = backends;
    this.gate = new RebalanceGate(options.getRebalanceDeadlineMs() + 2 * options.getLoadReportMs(),
        2 * options.getLoadReportMs());
    // as long as a plain drain gives clients to move, never less than the cooldown
    this.recoveryWaitMs = Math.max(options.getDrainMs(), options.getRebalanceDeadlineMs() + 2 * options.getLoadReportMs());
  }

  public void start() {
    context.runOnContext(v -> {
      if (!stopped) {
        timer = vertx.setPeriodic(options.getRebalanceIntervalMs(), id -> round());
      }
    });
  }

  public void stop() {
    context.runOnContext(v -> {
      stopped = true;
      vertx.cancelTimer(timer);
    });
  }

  private void round() {
    List<BackendVerticle> local = List.copyOf(backends.get());
    if (inRound || local.isEmpty()) {
      return;
    }
    inRound = true;
    vertx.sharedData().<String, String>getClusterWideMap(ClusterNames.BACKENDS_MAP)
        .compose(AsyncMap::values)
        .compose(values -> act(local, values))
        .onComplete(ar -> context.runOnContext(v -> {
          inRound = false;
          if (ar.failed()) {
            log.debug("rebalance round failed: {}", ar.cause().toString());
          } else {
            recordSheds(ar.result());
          }
        }));
  }

  private Future<List<Asked>> act(List<BackendVerticle> local, Collection<String> values) {
    List<BackendRecord> registry = new ArrayList<>();
    for (String v : values) {
      try {
        registry.add(BackendRecord.fromJson(signer.openRecord(v)));
      } catch (RuntimeException | ClusterSigner.InvalidSignatureException e) {
        // invalid and unsigned entries are the coordinators' to report
      }
    }
    List<BackendRecord> live = local.stream().map(b -> {
      BackendRecord r = b.record().withConnections(b.connections());
      return b.isDraining() ? r.withState(BackendState.DRAINING) : r;
    }).toList();
    long now = nowMs();
    Set<String> inFlight = new HashSet<>();
    local.stream().filter(BackendVerticle::movesInFlight).forEach(b -> inFlight.add(b.record().id()));
    boolean quiet = gate.quiet(inFlight, now);
    RebalancePlan plan = RebalancePlan.of(registry, live, gate.coolingDown(now), options.getRebalanceThreshold());
    boolean settled = true;
    for (Map.Entry<String, Set<String>> service : plan.members().entrySet()) {
      // every service is recorded, so no short-circuit
      settled &= gate.settled(service.getKey(), service.getValue(), now);
      settled &= gate.recovered(service.getKey(), plan.totals().get(service.getKey()), now);
      settled &= gate.steady(service.getKey(), plan.totals().get(service.getKey()));
    }
    if (!quiet || !settled || plan.sheds().isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    plan.totals().forEach((service, total) -> gate.shedFrom(service, total, now, recoveryWaitMs));
    List<Future<Asked>> asked = new ArrayList<>();
    for (RebalancePlan.Shed shed : plan.sheds()) {
      local.stream().filter(b -> b.record().id().equals(shed.backend())).findFirst().ifPresent(b -> asked.add(
          b.shed(shed, options.getRebalanceDeadlineMs())
              .map(n -> new Asked(shed, n))
              .recover(e -> {
                log.warn("rebalance: {} could not shed: {}", shed.backend(), e.toString());
                return Future.succeededFuture(new Asked(shed, 0));
              })));
    }
    return Future.all(asked).map(all -> all.<Asked>list());
  }

  private void recordSheds(List<Asked> round) {
    long now = nowMs();
    for (Asked a : round) {
      RebalancePlan.Shed shed = a.shed();
      if (a.asked() > 0) {
        gate.shed(shed.backend(), now);
        log.info("rebalance: {} holds {} (fair share {}), asked {} of {} clients to move, to {}", shed.backend(),
            shed.connections(), Math.round(shed.share()), a.asked(), shed.count(), shed.moves());
      } else {
        log.debug("rebalance: {} holds {} (fair share {}) but every client is within the hold-down", shed.backend(),
            shed.connections(), Math.round(shed.share()));
      }
    }
  }

  private static long nowMs() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
  }
}
