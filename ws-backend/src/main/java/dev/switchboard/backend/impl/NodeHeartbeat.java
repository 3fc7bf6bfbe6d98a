package dev.switchboard.backend.impl;

import com.hazelcast.topic.ITopic;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a backend's heartbeat to every coordinator at a fixed interval. Coordinators track
 * liveness per node: any backend of a node keeps the node alive. Signed when the cluster has a secret,
 * so that no one else can keep a dead node listed. Carries the node's start time ({@code nodeStartedAt},
 * epoch ms) when it is known, so coordinators can tell a node's uptime.
 *
 * <p>Two channels, each enough on its own: the event bus ({@link ClusterNames#HEARTBEAT_ADDRESS}), sent
 * from the backend's event loop, and, when a Hazelcast topic is given, {@link ClusterNames#HEARTBEAT_TOPIC},
 * sent from one daemon thread shared by every backend of the JVM. The second does not wait for any event
 * loop at either end, so a node whose loops are busy for seconds (thousands of handshakes on a cold JVM)
 * is still heard, while a stopped or dead process falls silent on both. A loop that has not beaten for
 * 10 s is stuck rather than busy: the topic stops too, and the node is suspected, then removed.
 */
public final class NodeHeartbeat {

  private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);
  /** A backend's event loop silent this long is stuck, not busy: its topic beats stop too. */
  static final long LOOP_STALL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Vertx vertx;
  private final ClusterSigner signer;
  private final ITopic<String> topic;
  private final String nodeId;
  private final String backendId;
  private final long intervalMs;
  private final long nodeStartedAt;
  private final AtomicLong seq = new AtomicLong();
  /** When the event loop last beat (nanoTime): the topic falls silent too once it has not for {@link #LOOP_STALL_NANOS}. */
  private volatile long loopBeatAt = System.nanoTime();
  private long timer = -1;
  private ScheduledFuture<?> pulse;

  public NodeHeartbeat(Vertx vertx, ClusterSigner signer, String nodeId, String backendId, long intervalMs) {
    this(vertx, signer, null, nodeId, backendId, intervalMs, -1);
  }

  /**
   * @param topic the Hazelcast heartbeat topic, or null for the event bus only
   * @param nodeStartedAt when the node joined the cluster, epoch ms; negative when unknown (then not sent)
   */
  public NodeHeartbeat(Vertx vertx, ClusterSigner signer, ITopic<String> topic, String nodeId, String backendId,
      long intervalMs, long nodeStartedAt) {
    this.vertx = vertx;
    this.signer = signer;
    this.topic = topic;
    this.nodeStartedAt = nodeStartedAt;
    this.nodeId = nodeId;
    this.backendId = backendId;
    this.intervalMs = intervalMs;
  }

  /** Sends one heartbeat now, then one per interval, on each channel. */
  public void start() {
    beat();
    timer = vertx.setPeriodic(intervalMs, id -> beat());
    if (topic != null) {
      pulse = PulseThread.INSTANCE.scheduleAtFixedRate(this::pulse, 0, intervalMs, TimeUnit.MILLISECONDS);
    }
  }

  public void stop() {
    vertx.cancelTimer(timer);
    timer = -1;
    if (pulse != null) {
      pulse.cancel(false);
      pulse = null;
    }
  }

  private JsonObject body() {
    JsonObject beat = new JsonObject().put("node", nodeId).put("backend", backendId).put("seq", seq.incrementAndGet());
    if (nodeStartedAt >= 0) {
      beat.put("nodeStartedAt", nodeStartedAt);
    }
    return beat;
  }

  private void beat() {
    loopBeatAt = System.nanoTime();
    vertx.eventBus().publish(ClusterNames.HEARTBEAT_ADDRESS, signer.sealMessage(ClusterNames.HEARTBEAT_ADDRESS, body()));
  }

  /** On the pulse thread: an exception would cancel the schedule, so none leaves. */
  private void pulse() {
    if (System.nanoTime() - loopBeatAt > LOOP_STALL_NANOS) {
      return; // a loop stuck this long serves nobody: let the node be suspected and removed
    }
    try {
      topic.publishAsync(signer.sealMessage(ClusterNames.HEARTBEAT_TOPIC, body()).encode())
          .whenComplete((v, e) -> {
            if (e != null) {
              log.debug("backend {}: heartbeat on the topic not sent: {}", backendId, e.toString());
            }
          });
    } catch (RuntimeException e) {
      log.debug("backend {}: heartbeat on the topic not sent: {}", backendId, e.toString());
    }
  }

  /** The JVM's one heartbeat thread: a daemon, so it never holds the JVM up. */
  private static final class PulseThread {
    static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "switchboard-heartbeat");
      t.setDaemon(true);
      return t;
    });
  }
}
