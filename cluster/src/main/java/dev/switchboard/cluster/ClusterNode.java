package dev.switchboard.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** A clustered Vert.x instance joined over Hazelcast, with access to the Hazelcast member underneath. */
public final class ClusterNode {

  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
  /** The member attribute Vert.x reads its node id from when it is given a Hazelcast instance. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";

  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;
  /** Set when this class started the Hazelcast member itself (lite members): Vert.x then does not stop it. */
  private final HazelcastInstance ownHazelcast;

  private ClusterNode(Vertx vertx, HazelcastClusterManager clusterManager, HazelcastInstance ownHazelcast) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.ownHazelcast = ownHazelcast;
  }

  /**
   * Joins the cluster described by {@code options}; completes once this node is a member. A lite
   * member cannot start Vert.x while the cluster has no data member (a coordinator), so it first joins
   * Hazelcast alone and waits, quietly, until a data member is there.
   */
  public static Future<ClusterNode> start(ClusterOptions options) {
    if (!options.isLiteMember()) {
      return startVertx(options, new HazelcastClusterManager(options.toHazelcastConfig()), null);
    }
    Config config = options.toHazelcastConfig();
    config.getMemberAttributeConfig().setAttribute(VERTX_NODE_ID, UUID.randomUUID().toString());
    return Future.fromCompletionStage(CompletableFuture.supplyAsync(() -> Hazelcast.newHazelcastInstance(config)))
        .compose(hazelcast -> awaitDataMember(hazelcast, options.getClusterName())
            .compose(v -> startVertx(options, new HazelcastClusterManager(hazelcast), hazelcast))
            .onFailure(e -> hazelcast.shutdown()));
  }

  private static Future<Void> awaitDataMember(HazelcastInstance hazelcast, String clusterName) {
    CompletableFuture<Void> found = new CompletableFuture<>();
    UUID listener = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        if (!event.getMember().isLiteMember()) {
          found.complete(null);
        }
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
      }
    });
    if (hazelcast.getCluster().getMembers().stream().anyMatch(m -> !m.isLiteMember())) {
      found.complete(null);
    } else {
      log.info("cluster '{}' has no coordinator (data member) yet; waiting for one", clusterName);
    }
    return Future.fromCompletionStage(found).onComplete(ar -> hazelcast.getCluster().removeMembershipListener(listener));
  }

  private static Future<ClusterNode> startVertx(ClusterOptions options, HazelcastClusterManager manager, HazelcastInstance own) {
    VertxOptions vertxOptions = new VertxOptions()
        .setEventBusOptions(new EventBusOptions().setHost(options.getHost()).setPort(0));
    return Vertx.builder()
        .with(vertxOptions)
        .withClusterManager(manager)
        .buildClustered()
        .map(vertx -> new ClusterNode(vertx, manager, own));
  }

  public Vertx vertx() {
    return vertx;
  }

  public HazelcastInstance hazelcast() {
    return clusterManager.getHazelcastInstance();
  }

  /** This node's Vert.x node id (the {@code __vertx.nodeId} member attribute); backend records carry it as {@code node}. */
  public String nodeId() {
    return clusterManager.getNodeId();
  }

  /** Undeploys everything and leaves the cluster. */
  public Future<Void> close() {
    Future<Void> closed = vertx.close();
    if (ownHazelcast == null) {
      return closed;
    }
    return closed.eventually(() -> Future.fromCompletionStage(CompletableFuture.runAsync(ownHazelcast::shutdown)));
  }
}
