package dev.switchboard.cluster;

import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** A clustered Vert.x instance joined over Hazelcast, with access to the Hazelcast member underneath. */
public final class ClusterNode {

  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;

  private ClusterNode(Vertx vertx, HazelcastClusterManager clusterManager) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
  }

  /** Joins the cluster described by {@code options}; completes once this node is a member. */
  public static Future<ClusterNode> start(ClusterOptions options) {
    HazelcastClusterManager manager = new HazelcastClusterManager(options.toHazelcastConfig());
    VertxOptions vertxOptions = new VertxOptions()
        .setEventBusOptions(new EventBusOptions().setHost(options.getHost()).setPort(0));
    return Vertx.builder()
        .with(vertxOptions)
        .withClusterManager(manager)
        .buildClustered()
        .map(vertx -> new ClusterNode(vertx, manager));
  }

  public Vertx vertx() {
    return vertx;
  }

  public HazelcastInstance hazelcast() {
    return clusterManager.getHazelcastInstance();
  }

  /** This node's id in the cluster (the Hazelcast member UUID); backend records carry it as {@code node}. */
  public String nodeId() {
    return clusterManager.getNodeId();
  }

  /** Undeploys everything and leaves the cluster. */
  public Future<Void> close() {
    return vertx.close();
  }
}
