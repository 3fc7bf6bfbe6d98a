package dev.switchboard.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A clustered Vert.x instance joined over Hazelcast, with access to the Hazelcast member underneath and
 * the {@link ClusterSigner} of its cluster secret.
 */
public final class ClusterNode {

  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
  /** The member attribute Vert.x reads its node id from when it is given a Hazelcast instance. */
  private static final String VERTX_NODE_ID = "__vertx.nodeId";
  /** One warning per JVM about running without a secret, however many nodes it starts. */
  private static final AtomicBoolean WARNED_NO_SECRET = new AtomicBoolean();

  private final Vertx vertx;
  private final HazelcastClusterManager clusterManager;
  /** Set when this class started the Hazelcast member itself (lite members): Vert.x then does not stop it. */
  private final HazelcastInstance ownHazelcast;
  private final ClusterSigner signer;
  private final ITopic<String> heartbeatTopic;
  private final long startedAt = System.currentTimeMillis();

  private ClusterNode(Vertx vertx, HazelcastClusterManager clusterManager, HazelcastInstance ownHazelcast,
      ClusterSigner signer) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.ownHazelcast = ownHazelcast;
    this.signer = signer;
    // getting a proxy may wait on the cluster: the constructor runs off the event loops (startVertx)
    this.heartbeatTopic = clusterManager.getHazelcastInstance().getTopic(ClusterNames.HEARTBEAT_TOPIC);
  }

  /**
   * Joins the cluster described by {@code options}; completes once this node is a member. A lite
   * member cannot start Vert.x while the cluster has no data member (a coordinator), so it first joins
   * Hazelcast alone and waits, quietly, until a data member is there. Fails at once when the options do
   * not pass {@link ClusterOptions#check()} (e.g. a non-loopback host without a secret).
   */
  public static Future<ClusterNode> start(ClusterOptions options) {
    try {
      options.check();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (options.getSecret() == null && WARNED_NO_SECRET.compareAndSet(false, true)) {
      log.warn("no cluster secret (--cluster-secret / SWITCHBOARD_CLUSTER_SECRET): registry records, heartbeats and"
          + " control commands are not signed, so any process on this machine that knows the cluster name can list"
          + " a backend or run a command (see docs/security.md)");
    }
    HazelcastCompletions.ensurePool();
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
    VertxOptions vertxOptions = new VertxOptions().setEventBusOptions(eventBusOptions(options));
    return Vertx.builder()
        .with(vertxOptions)
        .withClusterManager(manager)
        .buildClustered()
        .compose(vertx -> vertx.executeBlocking(() -> new ClusterNode(vertx, manager, own, ClusterSigner.of(options.getSecret())))
            .onFailure(e -> vertx.close()))
        .onSuccess(node -> log.info("cluster node {}: Hazelcast on {}, event bus on {}{}; {}", node.nodeId(),
            node.hazelcast().getCluster().getLocalMember().getAddress(), node.busAddress(),
            options.isTls() ? " (mutual TLS)" : "", options.getSecret() == null ? "unsigned" : "signed"));
  }

  /** The event bus binds {@code host} only; with certificates it runs TLS and requires the peer's. */
  static EventBusOptions eventBusOptions(ClusterOptions options) {
    EventBusOptions bus = new EventBusOptions().setHost(options.getHost()).setPort(options.getBusPort());
    if (options.getPublicHost() != null) {
      bus.setClusterPublicHost(options.getPublicHost());
    }
    if (options.isTls()) {
      // the client side of each connection takes the same options: it shows our certificate and trusts only the CA
      bus.setSsl(true)
          .setClientAuth(ClientAuth.REQUIRED)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(options.getTlsCert()).setKeyPath(options.getTlsKey()))
          .setTrustOptions(new PemTrustOptions().addCertPath(options.getTlsCa()));
    }
    return bus;
  }

  public Vertx vertx() {
    return vertx;
  }

  public HazelcastInstance hazelcast() {
    return clusterManager.getHazelcastInstance();
  }

  /** The topic heartbeats travel on besides the event bus ({@link ClusterNames#HEARTBEAT_TOPIC}). */
  public ITopic<String> heartbeatTopic() {
    return heartbeatTopic;
  }

  /** Signs what this node writes and sends, and checks what it reads and receives; pass-through without a secret. */
  public ClusterSigner signer() {
    return signer;
  }

  /** Where other members reach this node's event bus, {@code host:port}. */
  public String busAddress() {
    NodeInfo info = clusterManager.getNodeInfo();
    return info == null ? "?" : info.host() + ":" + info.port();
  }

  /** This node's Vert.x node id (the {@code __vertx.nodeId} member attribute); backend records carry it as {@code node}. */
  public String nodeId() {
    return clusterManager.getNodeId();
  }

  /** When this node joined the cluster, epoch milliseconds. */
  public long startedAt() {
    return startedAt;
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
