package dev.switchboard.demo;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.List;

/**
 * Serves the demo page and {@code switchboard.js}, plus {@code /config.json} naming the coordinators
 * and, for the embedded demo only, the admin token and node that the page's scale and drain buttons use.
 */
public final class DemoPageVerticle extends VerticleBase {

  private final String host;
  private final int port;
  private final List<String> coordinators;
  private final JsonObject admin;
  private volatile int actualPort = -1;

  public DemoPageVerticle(String host, int port, List<String> coordinators) {
    this(host, port, coordinators, null);
  }

  /** @param admin {@code {"token": …, "node": …}} to enable the page's controls, or null */
  public DemoPageVerticle(String host, int port, List<String> coordinators, JsonObject admin) {
    this.host = host;
    this.port = port;
    this.coordinators = List.copyOf(coordinators);
    this.admin = admin == null ? null : admin.copy();
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
    router.route("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    return vertx.createHttpServer().requestHandler(router).listen(port, host).onSuccess(s -> actualPort = s.actualPort());
  }

  public int actualPort() {
    return actualPort;
  }
}
