package dev.switchboard.backend.impl;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.BackendVerticle;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The rebalance rounds of one node: every interval, judges each local backend against its weighted
 * fair share and asks clients of an overloaded one to move.
 */
public final class Rebalancer {

  private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);

  private final Vertx vertx;
  private final BackendOptions options;
  private final Supplier<Collection<BackendVerticle>> backends;
  private long timer = -1;
  /** Backends that were over the threshold in the last round (only touched by the timer). */
  private final Set<String> overloaded = new HashSet<>();

  /** @param backends the node's serving backends */
  public Rebalancer(Vertx vertx, BackendOptions options, Supplier<Collection<BackendVerticle>> backends) {
    this.vertx = vertx;
    this.options = options;
    this.backends = backends;
  }

  public void start() {
    timer = vertx.setPeriodic(options.getRebalanceIntervalMs(), id -> round());
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  /**
   * One round. Local backends are judged by their live counts, remote ones by the registry
   * (coalesced, up to a second old); a backend sheds only when it was over the threshold in two
   * rounds in a row, so a ramp-up or a stale count does not move anybody.
   */
  private void round() {
    Collection<BackendVerticle> local = backends.get();
    if (local.isEmpty()) {
      return;
    }
    vertx.sharedData().<String, String>getClusterWideMap(ClusterNames.BACKENDS_MAP)
        .compose(AsyncMap::values)
        .onSuccess(values -> {
          Map<String, Integer> live = new HashMap<>();
          local.forEach(b -> live.put(b.record().id(), b.connections()));
          List<BackendRecord> records = new ArrayList<>();
          for (String v : values) {
            try {
              BackendRecord r = BackendRecord.fromJson(new JsonObject(v));
              Integer count = live.get(r.id());
              records.add(count == null ? r : r.withConnections(count));
            } catch (RuntimeException e) {
              // invalid entries are the coordinators' to report
            }
          }
          for (BackendVerticle b : local) {
            String id = b.record().id();
            int connections = live.get(id);
            int target = b.isDraining() ? -1
                : RebalancePlan.target(b.record(), connections, records, options.getRebalanceThreshold());
            if (target < 0) {
              overloaded.remove(id);
              continue;
            }
            if (!overloaded.add(id)) {
              int step = Math.max(1, (int) Math.ceil(connections * options.getRebalanceStep()));
              b.shedTo(target, step, options.getDrainMs() / 2).onSuccess(asked -> {
                if (asked > 0) {
                  log.info("rebalance: {} holds {} (fair share {}), asked {} clients to move", id, connections,
                      target, asked);
                }
              });
            }
          }
        });
  }
}
