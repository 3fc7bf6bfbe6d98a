package dev.switchboard.demo;

import dev.switchboard.cluster.HttpGuard;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Serves the demo page and {@code switchboard.js}, plus {@code /config.json} naming the coordinators,
 * and, for the embedded demo only, {@code /demo/nodes} (admin token) to start backend-node JVMs of
 * their own and kill -9 them.
 *
 * <p>The admin token (which the page's scale, drain and node buttons use) is only ever written into the
 * page itself, never into {@code /config.json}: another site's script cannot read a page it did not
 * serve, and every request must name this server in its {@code Host} header ({@code localhost},
 * {@code 127.0.0.1} or {@code [::1]} with this port, or the bind address) or it gets 421 — so a page
 * of another site whose name was re-pointed at 127.0.0.1 (DNS rebinding), which would count as
 * same-origin to the browser, gets nothing.
 */
public final class DemoPageVerticle extends VerticleBase {

  /** Where {@code index.html} carries the admin settings; the served page gets them in its content. */
  static final String ADMIN_META = "<meta name=\"switchboard-admin\" content=\"\">";
  private static final long HEADER_TIMEOUT_MS = 10_000;
  private static final long IDLE_TIMEOUT_MS = 60_000;

  private final String host;
  private final int port;
  private final List<String> coordinators;
  private final JsonObject admin;
  private final DemoNodes nodes;
  private String page;
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
    router.route().handler(this::checkHost);
    String config = new JsonObject().put("coordinators", new JsonArray(coordinators)).encode();
    router.get("/config.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store").end(config));
    router.get("/").handler(this::page);
    router.get("/index.html").handler(this::page);
    if (nodes != null) {
      admin.put("nodes", true);
      router.route("/demo/*").handler(this::authorize);
      router.get("/demo/nodes").handler(ctx -> json(ctx.response(), 200, new JsonObject().put("nodes", nodes.list())));
      router.post("/demo/nodes").handler(ctx -> vertx.executeBlocking(nodes::start, false)
          .onSuccess(node -> json(ctx.response(), 201, node))
          .onFailure(e -> json(ctx.response(), e instanceof DemoNodes.CapReachedException ? 409 : 500,
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
    for (int status = 400; status < 500; status++) {
      String reason = HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase(Locale.ROOT);
      int code = status;
      router.errorHandler(status, ctx -> json(ctx.response(), code, new JsonObject().put("error", reason)));
    }
    return vertx.fileSystem().readFile("webroot/index.html")
        .compose(html -> {
          page = html.toString(StandardCharsets.UTF_8).replace(ADMIN_META, admin == null ? ADMIN_META
              : "<meta name=\"switchboard-admin\" content=\"" + attribute(admin.encode()) + "\">");
          return HttpGuard.guard(vertx, vertx.createHttpServer(HttpGuard.options(new HttpServerOptions(), IDLE_TIMEOUT_MS)),
              HEADER_TIMEOUT_MS, router).listen(port, host);
        })
        .onSuccess(s -> actualPort = s.actualPort());
  }

  /** {@code localhost}, {@code 127.0.0.1} and {@code [::1]} with the port, and the bind address when it is one; lower case. */
  static Set<String> allowedHosts(String bindHost, int port) {
    String bound = bindHost.contains(":") && !bindHost.startsWith("[") ? "[" + bindHost + "]" : bindHost;
    boolean wildcard = bound.equals("0.0.0.0") || bound.equals("[::]") || bound.equals("[0:0:0:0:0:0:0:0]");
    Set<String> hosts = new HashSet<>();
    for (String name : wildcard ? List.of("localhost", "127.0.0.1", "[::1]") : List.of("localhost", "127.0.0.1", "[::1]", bound)) {
      hosts.add(name.toLowerCase(Locale.ROOT) + ":" + port);
      if (port == 80) {
        hosts.add(name.toLowerCase(Locale.ROOT));
      }
    }
    return Set.copyOf(hosts);
  }

  private void checkHost(RoutingContext ctx) {
    String hostHeader = ctx.request().getHeader("Host");
    int localPort = ctx.request().localAddress().port();
    if (hostHeader == null || !allowedHosts(host, localPort).contains(hostHeader.toLowerCase(Locale.ROOT))) {
      json(ctx.response(), 421, new JsonObject().put("error", "this demo answers only to http://localhost:" + localPort
          + "/ (the Host header is " + (hostHeader == null ? "missing" : "not one of its names") + ")"));
      return;
    }
    ctx.next();
  }

  /** The page, with the admin settings in it when there are any; never cached, never framed by another site. */
  private void page(RoutingContext ctx) {
    ctx.response()
        .putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Content-Security-Policy", "frame-ancestors 'none'")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(page);
  }

  private void authorize(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    byte[] expected = ("Bearer " + admin.getString("token")).getBytes(StandardCharsets.UTF_8);
    if (header != null && MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
    } else {
      json(ctx.response(), 401, new JsonObject().put("error", "the demo's admin token is needed"));
    }
  }

  /** Escapes text for a double-quoted HTML attribute. */
  private static String attribute(String text) {
    return text.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  public int actualPort() {
    return actualPort;
  }
}
