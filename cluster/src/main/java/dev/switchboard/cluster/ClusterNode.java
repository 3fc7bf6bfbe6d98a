package dev.switchboard.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.partition.NoDataMemberInClusterException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/** A clustered Vert.x instance joined over Hazelcast, with access to the Hazelcast member underneath. */
public final class ClusterNode {

  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
  private static final long LITE_RETRY_MS = 2_000;

  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;

  private ClusterNode(Vertx vertx, HazelcastClusterManager clusterManager) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
  }

  /**
   * Joins the cluster described by {@code options}; completes once this node is a member. A lite
   * member cannot start while the cluster has no data member (a coordinator), so it retries every
   * {@value #LITE_RETRY_MS} ms until one is there.
   */
  public static Future<ClusterNode> start(ClusterOptions options) {
    return startOnce(options).recover(e -> {
      if (!options.isLiteMember() || !noDataMember(e)) {
        return Future.failedFuture(e);
      }
      log.info("cluster '{}' has no coordinator (data member) yet; retrying every {} ms",
          options.getClusterName(), LITE_RETRY_MS);
      return retryLite(options);
    });
  }

  private static Future<ClusterNode> retryLite(ClusterOptions options) {
    Executor later = CompletableFuture.delayedExecutor(LITE_RETRY_MS, TimeUnit.MILLISECONDS);
    return Future.fromCompletionStage(CompletableFuture.runAsync(() -> { }, later))
        .compose(v -> startOnce(options))
        .recover(e -> noDataMember(e) ? retryLite(options) : Future.failedFuture(e));
  }

  private static boolean noDataMember(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof NoDataMemberInClusterException) {
        return true;
      }
    }
    return false;
  }

  private static Future<ClusterNode> startOnce(ClusterOptions options) {
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
