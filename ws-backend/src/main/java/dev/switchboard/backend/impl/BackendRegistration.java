package dev.switchboard.backend.impl;

import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backend's record in the cluster registry. Load changes are coalesced: at most one write per
 * {@code reportIntervalMs}, always ending with the latest count. The stored text is signed when the
 * cluster has a secret. Confined to the verticle's context.
 */
public final class BackendRegistration {

  private static final Logger log = LoggerFactory.getLogger(BackendRegistration.class);

  private final Vertx vertx;
  private final ClusterSigner signer;
  private final long reportIntervalMs;
  private final long refreshMs;
  private long refreshTimer = -1;
  private AsyncMap<String, String> map;
  private BackendRecord published;
  private BackendRecord latest;
  private long lastWriteAt;
  private long timer = -1;

  public BackendRegistration(Vertx vertx, ClusterSigner signer, long reportIntervalMs, long refreshMs) {
    this.vertx = vertx;
    this.signer = signer;
    this.reportIntervalMs = reportIntervalMs;
    this.refreshMs = refreshMs;
  }

  /** Publishes the record; completes once the cluster holds it. */
  public Future<Void> register(BackendRecord record) {
    latest = record;
    return vertx.sharedData().<String, String>getClusterWideMap(ClusterNames.BACKENDS_MAP)
        .compose(m -> {
          map = m;
          return write();
        })
        .onSuccess(v -> refreshTimer = vertx.setPeriodic(refreshMs, id -> {
          // a coordinator deletes the records of a node it saw leave; rewriting heals after a rejoin
          if (latest != null && timer == -1) {
            write().onFailure(e -> log.debug("refresh of {} failed: {}", latest.id(), e.toString()));
          }
        }));
  }

  /** Reports the current connection count; written now or at the end of the current interval. */
  public void connections(int connections) {
    if (map == null || latest == null) {
      return;
    }
    latest = latest.withConnections(connections);
    if (timer != -1) {
      return;
    }
    long wait = lastWriteAt + reportIntervalMs - System.currentTimeMillis();
    timer = vertx.setTimer(Math.max(1, wait), id -> {
      timer = -1;
      if (latest != null && !latest.equals(published)) {
        write().onFailure(e -> log.warn("load report for {} failed: {}", latest.id(), e.toString()));
      }
    });
  }

  /** Publishes a new state at once (not coalesced); completes once the cluster holds it. */
  public Future<Void> state(BackendState state) {
    if (map == null || latest == null) {
      return Future.succeededFuture();
    }
    latest = latest.withState(state);
    return write();
  }

  /** Removes the record from the cluster; completes once it is gone. */
  public Future<Void> deregister() {
    vertx.cancelTimer(refreshTimer);
    vertx.cancelTimer(timer);
    timer = -1;
    BackendRecord record = latest;
    latest = null;
    if (map == null || record == null) {
      return Future.succeededFuture();
    }
    return map.remove(record.id()).mapEmpty();
  }

  private Future<Void> write() {
    BackendRecord record = latest;
    lastWriteAt = System.currentTimeMillis();
    return map.put(record.id(), signer.sealRecord(record.toJson())).onSuccess(v -> published = record);
  }
}
