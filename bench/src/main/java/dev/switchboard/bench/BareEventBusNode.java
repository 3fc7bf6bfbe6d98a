package dev.switchboard.bench;

import dev.switchboard.cluster.ClusterOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.concurrent.TimeUnit;

/**
 * The floor for the room benchmark: plain clustered Vert.x (Hazelcast, the same cluster settings as ours,
 * none of Switchboard's code on the path). Run as its own JVM it answers {@link #ACK} requests with their
 * body and republishes what it gets on {@link #RELAY} to {@link #DELIVER}; the bench JVM joins the same
 * small cluster to drive it.
 */
public final class BareEventBusNode {

  /** Request/reply: the floor of an acked publish. */
  static final String ACK = "bare.ack";
  /** Sent here, published to {@link #DELIVER}: the floor of a delivery. */
  static final String RELAY = "bare.relay";
  static final String DELIVER = "bare.deliver";

  private BareEventBusNode() {
  }

  /** A clustered Vert.x on loopback in cluster {@code name}, Hazelcast ports from {@code port}. */
  static Future<Vertx> start(String name, int port) {
    ClusterOptions options = new ClusterOptions().setClusterName(name).setPort(port)
        .setMembers("127.0.0.1:" + port + "-" + (port + 9));
    return Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost(options.getHost())))
        .withClusterManager(new HazelcastClusterManager(options.toHazelcastConfig()))
        .buildClustered();
  }

  /** {@code BareEventBusNode <cluster-name> <hazelcast-port>} */
  public static void main(String[] args) throws Exception {
    Vertx vertx = start(args[0], Integer.parseInt(args[1])).await(2, TimeUnit.MINUTES);
    Future.all(
            vertx.eventBus().consumer(ACK, m -> m.reply(m.body())).completion(),
            vertx.eventBus().consumer(RELAY, m -> vertx.eventBus().publish(DELIVER, m.body())).completion())
        .onSuccess(v -> System.out.println("bare event bus ready"))
        .onFailure(e -> {
          System.err.println("bare event bus failed: " + e);
          System.exit(1);
        });
  }
}
