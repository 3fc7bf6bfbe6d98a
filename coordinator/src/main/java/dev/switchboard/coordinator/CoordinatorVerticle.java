package dev.switchboard.coordinator;

import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.coordinator.impl.CoordinatorServer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Serves the cluster's backend list: {@code GET /v1/backends}, the SSE stream {@code /v1/backends/stream},
 * health and metrics (PROTOCOL §2). Deploy one per coordinator node, on a clustered Vert.x.
 */
public final class CoordinatorVerticle extends VerticleBase {

  private final CoordinatorOptions options;
  private final ClusterNode node;
  private CoordinatorServer server;
  private volatile int actualPort = -1;

  /** A coordinator over {@code node}'s Hazelcast member, checking and signing with its cluster secret. */
  public CoordinatorVerticle(CoordinatorOptions options, ClusterNode node) {
    this.options = new CoordinatorOptions(options);
    this.node = node;
  }

  @Override
  public Future<?> start() {
    server = new CoordinatorServer(vertx, context, node.hazelcast(), node.signer(), options);
    return server.start().onSuccess(port -> actualPort = port);
  }

  @Override
  public Future<?> stop() {
    return server.stop();
  }

  /** The HTTP port in use (useful with port 0), or -1 before start. */
  public int actualPort() {
    return actualPort;
  }
}
