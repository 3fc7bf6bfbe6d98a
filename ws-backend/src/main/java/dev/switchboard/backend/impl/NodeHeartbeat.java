package dev.switchboard.backend.impl;

import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Publishes a backend's heartbeat to every coordinator at a fixed interval. Coordinators track
 * liveness per node: any backend of a node keeps the node alive. Signed when the cluster has a secret,
 * so that no one else can keep a dead node listed.
 */
public final class NodeHeartbeat {

  private final Vertx vertx;
  private final ClusterSigner signer;
  private final String nodeId;
  private final String backendId;
  private final long intervalMs;
  private long timer = -1;
  private long seq;

  public NodeHeartbeat(Vertx vertx, ClusterSigner signer, String nodeId, String backendId, long intervalMs) {
    this.vertx = vertx;
    this.signer = signer;
    this.nodeId = nodeId;
    this.backendId = backendId;
    this.intervalMs = intervalMs;
  }

  /** Sends one heartbeat now, then one per interval. */
  public void start() {
    beat();
    timer = vertx.setPeriodic(intervalMs, id -> beat());
  }

  public void stop() {
    vertx.cancelTimer(timer);
    timer = -1;
  }

  private void beat() {
    JsonObject beat = new JsonObject().put("node", nodeId).put("backend", backendId).put("seq", ++seq);
    vertx.eventBus().publish(ClusterNames.HEARTBEAT_ADDRESS, signer.sealMessage(ClusterNames.HEARTBEAT_ADDRESS, beat));
  }
}
