package dev.switchboard.coordinator.impl;

import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Admin endpoints, mounted only when a token is configured: drain a backend, scale a node's backend
 * count (the node named by its id or a unique prefix of it), list nodes. Each needs {@code Authorization: Bearer <token>} (401 otherwise) and is carried
 * out by the backend node itself, over the event bus (signed when the cluster has a secret). Every request routed here, refused or not, leaves one
 * audit line (successful reads at debug, the rest at info or warn) (logger {@value #AUDIT_LOGGER}): who (source address, whether the token matched), what
 * (method, path, the command sent) and the outcome (status); the log line's time is the when.
 */
final class AdminApi {

  static final String AUDIT_LOGGER = "switchboard.audit";
  private static final Logger audit = LoggerFactory.getLogger(AUDIT_LOGGER);
  private static final long COMMAND_TIMEOUT_MS = 15_000;
  /** Scale bounds; the backend node checks them too. */
  static final int MAX_INSTANCES = 1_000;
  /** Routing-context keys of the audit line: the command a request sent, and whether its token matched. */
  private static final String AUDIT_COMMAND = "switchboard.audit.command";
  private static final String AUDIT_AUTHORIZED = "switchboard.audit.authorized";
  /** Length of a Vert.x node id (a UUID); a shorter id that names no node with a record is a prefix of none. */
  private static final int FULL_NODE_ID = 36;

  private final Vertx vertx;
  private final ClusterSigner signer;
  private final byte[] token;
  private final Function<String, BackendRecord> lookup;
  private final Iterable<BackendRecord> records;
  private final Function<String, NodeTable.NodeStatus> nodeStatus;

  /**
   * @param lookup a backend's record by id, or null
   * @param records every record in the registry
   * @param nodeStatus what the coordinator knows of a node's liveness and start time
   */
  AdminApi(Vertx vertx, ClusterSigner signer, String token, Function<String, BackendRecord> lookup,
      Iterable<BackendRecord> records, Function<String, NodeTable.NodeStatus> nodeStatus) {
    this.vertx = vertx;
    this.signer = signer;
    this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.lookup = lookup;
    this.records = records;
    this.nodeStatus = nodeStatus;
  }

  /** Mounts the endpoints; the handlers that read the records run through {@code onView} (on the loop that owns them). */
  void mount(Router router, UnaryOperator<Handler<RoutingContext>> onView) {
    router.route("/v1/admin/*").handler(AdminApi::auditOnEnd).handler(this::authorize);
    router.post("/v1/admin/*").handler(BodyHandler.create(false).setBodyLimit(4096));
    router.post("/v1/admin/backends/:id/drain").handler(onView.apply(this::drain));
    router.post("/v1/admin/nodes/:node/scale").handler(onView.apply(this::scale)); // resolves a node-id prefix from the records
    router.get("/v1/admin/nodes").handler(onView.apply(this::nodes));
  }

  /** Logs the request's audit line once its response is sent (or its connection is gone). */
  private static void auditOnEnd(RoutingContext ctx) {
    long start = System.nanoTime();
    String from = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().toString();
    String what = ctx.request().method() + " " + clip(ctx.request().uri());
    ctx.addEndHandler(ar -> {
      int status = ctx.response().getStatusCode();
      Object command = ctx.get(AUDIT_COMMAND);
      String line = "admin {} from {} ({}): {}{} in {} ms";
      Object[] args = {what, from, ctx.get(AUDIT_AUTHORIZED, false) ? "token ok" : "no valid token",
          ar.succeeded() ? status : "connection lost before the answer, would be " + status,
          command == null ? "" : ", sent " + command, (System.nanoTime() - start) / 1_000_000};
      if (status == 401 || status >= 500 || ar.failed()) {
        audit.warn(line, args);
      } else if (ctx.request().method() == HttpMethod.GET && status < 400) {
        // reads change nothing, and a page polls the node list: only actions and refusals are logged by default
        audit.debug(line, args);
      } else {
        audit.info(line, args);
      }
    });
    ctx.next();
  }

  private static String clip(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !MessageDigest.isEqual(token, header.getBytes(StandardCharsets.UTF_8))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, 401, "admin endpoints need 'Authorization: Bearer <token>'");
      return;
    }
    ctx.put(AUDIT_AUTHORIZED, true);
    ctx.next();
  }

  private void drain(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    BackendRecord record = lookup.apply(id);
    if (record == null) {
      error(ctx, 404, "no backend " + id);
      return;
    }
    JsonObject command = new JsonObject().put("op", "drain").put("backend", id);
    String deadline = ctx.request().getParam("deadlineMs");
    if (deadline != null) {
      try {
        long ms = Long.parseLong(deadline);
        if (ms < 0 || ms > 3_600_000) {
          throw new NumberFormatException();
        }
        command.put("deadlineMs", ms);
      } catch (NumberFormatException e) {
        error(ctx, 400, "deadlineMs must be an integer in 0..3600000");
        return;
      }
    }
    send(ctx, record.node(), command, 202);
  }

  private void scale(RoutingContext ctx) {
    Integer instances = instances(ctx);
    if (instances == null) {
      error(ctx, 400, "body must be {\"instances\": n} with n a JSON integer in 0.." + MAX_INSTANCES);
      return;
    }
    String given = ctx.pathParam("node");
    NodeTable.Resolution node = NodeTable.resolve(given, NodeTable.nodes(records));
    if (node instanceof NodeTable.Found found) {
      send(ctx, found.node(), new JsonObject().put("op", "scale").put("instances", instances), 200);
    } else if (node instanceof NodeTable.Ambiguous ambiguous) {
      ctx.response().setStatusCode(409).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "node id prefix " + given + " matches " + ambiguous.nodes().size()
              + " nodes; give more of it").put("matches", new JsonArray(ambiguous.nodes())).encode());
    } else if (given.length() >= FULL_NODE_ID) {
      // a full id of a node that hosts no backend now (scaled to 0) can still be scaled up
      send(ctx, given, new JsonObject().put("op", "scale").put("instances", instances), 200);
    } else {
      error(ctx, 404, "no backend node with id or id prefix " + given);
    }
  }

  /** The {@code instances} of a scale body when it is a JSON integer (not 1.5, 1e2 or "3") in range; else null. */
  static Integer instances(RoutingContext ctx) {
    try {
      return ctx.body().length() == 0 ? null : instances(ctx.body().asJsonObject());
    } catch (RuntimeException e) { // not JSON, or JSON but not an object
      return null;
    }
  }

  static Integer instances(JsonObject body) {
    // the JSON parser gives Integer or Long for integer literals only; 1.5, 1e2 and 3.0 come as Double
    return body != null && body.getValue("instances") instanceof Integer n && n >= 0 && n <= MAX_INSTANCES ? n : null;
  }

  private void nodes(RoutingContext ctx) {
    JsonArray nodes = NodeTable.describe(records, nodeStatus, System.currentTimeMillis());
    ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("nodes", nodes).encode());
  }

  private void send(RoutingContext ctx, String node, JsonObject command, int status) {
    ctx.put(AUDIT_COMMAND, command.encode() + " to node " + node);
    String address = ClusterNames.NODE_CONTROL_PREFIX + node;
    vertx.eventBus().<JsonObject>request(address, signer.sealMessage(address, command),
            new DeliveryOptions().setSendTimeout(COMMAND_TIMEOUT_MS))
        .onSuccess(reply -> ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
            .end(reply.body().encode()))
        .onFailure(e -> {
          if (e instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
            error(ctx, re.failureCode() >= 400 && re.failureCode() < 600 ? re.failureCode() : 500, re.getMessage());
          } else if (e instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
            error(ctx, 404, "no backend node " + node);
          } else {
            error(ctx, 504, "node " + node + " did not answer: " + e.getMessage());
          }
        });
  }

  private static void error(RoutingContext ctx, int status, String message) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
