package dev.switchboard.coordinator.impl;

import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Admin endpoints, mounted only when a token is configured: drain a backend, scale a node's backend
 * count, list nodes. Each needs {@code Authorization: Bearer <token>} (401 otherwise) and is carried
 * out by the backend node itself, over the event bus (signed when the cluster has a secret).
 */
final class AdminApi {

  private static final long COMMAND_TIMEOUT_MS = 15_000;

  private final Vertx vertx;
  private final ClusterSigner signer;
  private final byte[] token;
  private final Function<String, BackendRecord> lookup;
  private final Iterable<BackendRecord> records;

  AdminApi(Vertx vertx, ClusterSigner signer, String token, Function<String, BackendRecord> lookup,
      Iterable<BackendRecord> records) {
    this.vertx = vertx;
    this.signer = signer;
    this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.lookup = lookup;
    this.records = records;
  }

  void mount(Router router) {
    router.route("/v1/admin/*").handler(this::authorize);
    router.post("/v1/admin/*").handler(BodyHandler.create().setBodyLimit(4096));
    router.post("/v1/admin/backends/:id/drain").handler(this::drain);
    router.post("/v1/admin/nodes/:node/scale").handler(this::scale);
    router.get("/v1/admin/nodes").handler(this::nodes);
  }

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !MessageDigest.isEqual(token, header.getBytes(StandardCharsets.UTF_8))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      error(ctx, 401, "admin endpoints need 'Authorization: Bearer <token>'");
      return;
    }
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
    Integer instances = null;
    try {
      JsonObject body = ctx.body().length() == 0 ? new JsonObject() : ctx.body().asJsonObject();
      instances = body.getInteger("instances");
    } catch (RuntimeException e) {
      // answered below
    }
    if (instances == null) {
      error(ctx, 400, "body must be {\"instances\": n}");
      return;
    }
    send(ctx, ctx.pathParam("node"), new JsonObject().put("op", "scale").put("instances", instances), 200);
  }

  private void nodes(RoutingContext ctx) {
    Map<String, JsonArray> nodes = new TreeMap<>();
    for (BackendRecord r : records) {
      nodes.computeIfAbsent(r.node(), n -> new JsonArray()).add(r.id());
    }
    JsonArray out = new JsonArray();
    nodes.forEach((node, ids) -> out.add(new JsonObject().put("node", node).put("backends", ids)));
    ctx.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("nodes", out).encode());
  }

  private void send(RoutingContext ctx, String node, JsonObject command, int status) {
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
