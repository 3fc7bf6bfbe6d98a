package dev.switchboard.backend;

import dev.switchboard.backend.impl.Rebalancer;
import dev.switchboard.backend.impl.RoomSweeper;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.ClusterSigner;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backend verticles of one cluster node, with rooms on: deploys {@code instances} of them, each on
 * its own port; scales and drains them at run time (also on command over the event bus, see
 * {@link ClusterNames#NODE_CONTROL_PREFIX}, signed when the cluster has a secret); and runs the node's
 * {@link Rebalancer} and its {@link RoomSweeper} (the node-wide room cap, shared by its backends, and
 * idle-room cleanup).
 */
public final class BackendNode {

  private static final Logger log = LoggerFactory.getLogger(BackendNode.class);
  /** The same audit log as the coordinator's admin API: one line per drain, whatever started it. */
  private static final Logger audit = LoggerFactory.getLogger("switchboard.audit");

  private record Deployed(String deploymentId, BackendVerticle verticle) {
  }

  private final Vertx vertx;
  private final Context context;
  private final ClusterNode node;
  private final BackendOptions options;
  /** Serving backends by id, in index order of deployment. */
  private final Map<String, Deployed> deployed = new ConcurrentHashMap<>();
  private final AtomicInteger nextIndex = new AtomicInteger();
  private Future<?> operations = Future.succeededFuture();
  private MessageConsumer<Object> control;
  private final Rebalancer rebalancer;
  /** Kinds of refused commands already logged as a warning; later ones go to debug. Confined to the control consumer's context. */
  private final Set<ClusterSigner.Failure> refusalsLogged = EnumSet.noneOf(ClusterSigner.Failure.class);
  private final RoomSweeper sweeper;

  public BackendNode(ClusterNode node, BackendOptions options) {
    this.vertx = node.vertx();
    this.context = vertx.getOrCreateContext();
    this.node = node;
    this.options = new BackendOptions(options);
    this.rebalancer = new Rebalancer(vertx, context, this.options, node.signer(), this::backends);
    this.sweeper = BackendVerticle.newSweeper(vertx, context, node, this.options);
  }

  /** Deploys the configured number of backends and starts listening for control commands. */
  public Future<List<BackendVerticle>> start() {
    control = vertx.eventBus().consumer(ClusterNames.NODE_CONTROL_PREFIX + node.nodeId(), this::onControl);
    if (options.isRebalance()) {
      rebalancer.start();
    }
    sweeper.start();
    return control.completion().compose(v -> scaleTo(options.getInstances())).map(n -> backends());
  }

  /** The serving backends, oldest first. */
  public List<BackendVerticle> backends() {
    return deployed.values().stream().map(Deployed::verticle)
        .sorted((a, b) -> a.record().id().compareTo(b.record().id())).toList();
  }

  /** Deploys or drains backends until {@code instances} serve; completes with the count. Serialized. */
  public Future<Integer> scaleTo(int instances) {
    Promise<Integer> result = Promise.promise();
    // scale operations run one after the other, chained on the node's own context
    context.runOnContext(v -> {
      Future<Integer> next = operations.transform(ar -> doScale(instances));
      operations = next;
      next.onComplete(result);
    });
    return result.future();
  }

  /** Drains one backend (clients get {@code drain} and its deadline), then undeploys it. */
  public Future<Void> drain(String backendId, long deadlineMs) {
    return drain(backendId, deadlineMs, "asked in-process");
  }

  /** Drains one backend and leaves one audit line saying why (an admin command, scale-in, shutdown). */
  private Future<Void> drain(String backendId, long deadlineMs, String why) {
    Deployed d = deployed.remove(backendId);
    if (d == null) {
      return Future.failedFuture("no backend " + backendId + " on this node");
    }
    audit.info("drain {} on node {} ({} connections), deadline {} ms: {}", backendId, node.nodeId(),
        d.verticle().connections(), deadlineMs, why);
    return d.verticle().drain(deadlineMs).transform(ar -> vertx.undeploy(d.deploymentId()));
  }

  /** Drains every backend with the configured deadline, then stops: what SIGTERM does. */
  public Future<Void> drainAll() {
    stopTimers();
    List<Future<Void>> drains = new ArrayList<>();
    List.copyOf(deployed.keySet()).forEach(id -> drains.add(drain(id, options.getDrainMs(), "the node is shutting down")));
    // rooms stay marked in use while their members move away
    return Future.join(drains).onComplete(ar -> sweeper.stop()).mapEmpty();
  }

  /** Undeploys every backend at once: each leaves the registry before it closes. */
  public Future<Void> stop() {
    stopTimers();
    sweeper.stop();
    List<Future<Void>> undeployed = new ArrayList<>();
    deployed.values().forEach(d -> undeployed.add(vertx.undeploy(d.deploymentId())));
    deployed.clear();
    return Future.join(undeployed).mapEmpty();
  }

  private void stopTimers() {
    rebalancer.stop();
    if (control != null) {
      control.unregister();
    }
  }

  private Future<Integer> doScale(int instances) {
    int now = deployed.size();
    if (instances > now) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = now; i < instances; i++) {
        chain = chain.compose(v -> {
          BackendVerticle backend = new BackendVerticle(options, node, nextIndex.getAndIncrement(), sweeper);
          return vertx.deployVerticle(backend).map(id -> {
            deployed.put(backend.record().id(), new Deployed(id, backend));
            return null;
          });
        });
      }
      return chain.map(v -> deployed.size());
    }
    List<String> newestFirst = new ArrayList<>(backends().stream().map(b -> b.record().id()).toList());
    Collections.reverse(newestFirst);
    List<Future<Void>> drains = new ArrayList<>();
    for (int i = 0; i < now - instances; i++) {
      drains.add(drain(newestFirst.get(i), options.getDrainMs(), "scale-in to " + instances + " backends"));
    }
    // the drained backends have left `deployed` already; their drains go on in the background
    return Future.succeededFuture(deployed.size());
  }

  private void onControl(Message<Object> message) {
    JsonObject body;
    try {
      body = node.signer().openMessage(message.address(), message.body() instanceof JsonObject json ? json : null);
    } catch (ClusterSigner.InvalidSignatureException e) {
      refuse(message, e);
      return;
    }
    body = body == null ? new JsonObject() : body;
    String op = body.getString("op", "");
    switch (op) {
      case "scale" -> {
        Integer instances = body.getInteger("instances");
        if (instances == null || instances < 0 || instances > 1_000) {
          message.fail(400, "instances must be an integer in 0..1000");
          return;
        }
        scaleTo(instances).onComplete(ar -> {
          if (ar.succeeded()) {
            message.reply(new JsonObject().put("node", node.nodeId()).put("instances", ar.result()));
          } else {
            message.fail(500, ar.cause().getMessage());
          }
        });
      }
      case "drain" -> {
        String backend = body.getString("backend");
        long deadline = body.getLong("deadlineMs", options.getDrainMs());
        if (backend == null || !deployed.containsKey(backend)) {
          message.fail(404, "no backend " + backend + " on node " + node.nodeId());
          return;
        }
        drain(backend, deadline, "admin command").onFailure(e -> log.warn("drain of {} failed: {}", backend, e.toString()));
        message.reply(new JsonObject().put("backend", backend).put("state", "DRAINING").put("deadlineMs", deadline));
      }
      default -> message.fail(400, "unknown op '" + op + "'");
    }
  }

  /** A command that is not signed with the cluster secret, or is stale or replayed: refused, 401. */
  private void refuse(Message<Object> message, ClusterSigner.InvalidSignatureException e) {
    String what = "refused a control command on " + message.address() + " (" + e.failure() + "): " + e.getMessage();
    if (refusalsLogged.add(e.failure())) {
      log.warn("{} — further refusals of this kind are logged at debug", what);
    } else {
      log.debug(what);
    }
    message.fail(401, "command refused: " + e.getMessage());
  }
}
