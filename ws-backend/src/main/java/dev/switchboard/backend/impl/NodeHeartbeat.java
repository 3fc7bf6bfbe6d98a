package dev.switchboard.backend.impl;

import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Publishes a backend's heartbeat to every coordinator at a fixed interval. Coordinators track
 * liveness per node: any backend of a node keeps the node alive. Signed when the cluster has a secret,
 * so that no one else can keep a dead node listed. Carries the node's start time ({@code nodeStartedAt},
 * epoch ms) when it is known, so coordinators can tell a node's uptime.
 */
public final class NodeHeartbeat {

  private final Vertx vertx;
  private final ClusterSigner signer;
  private final String nodeId;
  private final String backendId;
  private final long intervalMs;
  private final long nodeStartedAt;
  private long timer = -1;
  private long seq;

  public NodeHeartbeat(Vertx vertx, ClusterSigner signer, String nodeId, String backendId, long intervalMs) {
    this(vertx, signer, nodeId, backendId, intervalMs, -1);
  }

  /** @param nodeStartedAt when the node joined the cluster, epoch ms; negative when unknown (then not sent) */
  public NodeHeartbeat(Vertx vertx, ClusterSigner signer, String nodeId, String backendId, long intervalMs,
      long nodeStartedAt) {
    this.vertx = vertx;
    this.nodeStartedAt = nodeStartedAt;
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
    if (nodeStartedAt >= 0) {
      beat.put("nodeStartedAt", nodeStartedAt);
    }
    vertx.eventBus().publish(ClusterNames.HEARTBEAT_ADDRESS, signer.sealMessage(ClusterNames.HEARTBEAT_ADDRESS, beat));
  }
}
