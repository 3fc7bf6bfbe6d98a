package dev.switchboard.demo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.List;

/**
 * Serves the demo page and {@code switchboard.js}, plus {@code /config.json} naming the coordinators
 * and, for the embedded demo only, the admin token and node that the page's scale and drain buttons use,
 * and {@code /demo/nodes} (same token) to start backend-node JVMs of their own and kill -9 them.
 */
public final class DemoPageVerticle extends VerticleBase {

  private final String host;
  private final int port;
  private final List<String> coordinators;
  private final JsonObject admin;
  private final DemoNodes nodes;
  private volatile int actualPort = -1;

  public DemoPageVerticle(String host, int port, List<String> coordinators) {
    this(host, port, coordinators, null);
  }

  /** @param admin {@code {"token": …, "node": …}} to enable the page's controls, or null */
  public DemoPageVerticle(String host, int port, List<String> coordinators, JsonObject admin) {
    this(host, port, coordinators, admin, null);
  }

  DemoPageVerticle(String host, int port, List<String> coordinators, JsonObject admin, DemoNodes nodes) {
    this.host = host;
    this.port = port;
    this.coordinators = List.copyOf(coordinators);
    this.admin = admin == null ? null : admin.copy();
    this.nodes = admin == null ? null : nodes;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    JsonObject config = new JsonObject().put("coordinators", new JsonArray(coordinators));
    if (admin != null) {
      config.put("admin", admin);
    }
    router.get("/config.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(config.encode()));
    if (nodes != null) {
      config.getJsonObject("admin").put("nodes", true);
      router.route("/demo/*").handler(this::authorize);
      router.get("/demo/nodes").handler(ctx -> json(ctx.response(), 200, new JsonObject().put("nodes", nodes.list())));
      router.post("/demo/nodes").handler(ctx -> vertx.executeBlocking(nodes::start, false)
          .onSuccess(node -> json(ctx.response(), 201, node))
          .onFailure(e -> json(ctx.response(), e instanceof IllegalStateException && e.getMessage().contains("at most") ? 409 : 500,
              new JsonObject().put("error", String.valueOf(e.getMessage())))));
      router.post("/demo/nodes/:pid/kill").handler(ctx -> {
        long pid;
        try {
          pid = Long.parseLong(ctx.pathParam("pid"));
        } catch (NumberFormatException e) {
          json(ctx.response(), 400, new JsonObject().put("error", "pid must be a number"));
          return;
        }
        vertx.executeBlocking(() -> nodes.kill(pid), false)
            .onSuccess(killed -> json(ctx.response(), killed ? 200 : 404, killed
                ? new JsonObject().put("killed", pid) : new JsonObject().put("error", "no demo node with pid " + pid)))
            .onFailure(e -> json(ctx.response(), 500, new JsonObject().put("error", String.valueOf(e.getMessage()))));
      });
    }
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    return vertx.createHttpServer().requestHandler(router).listen(port, host).onSuccess(s -> actualPort = s.actualPort());
  }

  private void authorize(RoutingContext ctx) {
    if (("Bearer " + admin.getString("token")).equals(ctx.request().getHeader("Authorization"))) {
      ctx.next();
    } else {
      json(ctx.response(), 401, new JsonObject().put("error", "the demo's admin token is needed"));
    }
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  public int actualPort() {
    return actualPort;
  }
}
