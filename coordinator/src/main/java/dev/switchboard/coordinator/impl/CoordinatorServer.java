package dev.switchboard.coordinator.impl;

import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.cluster.AllowedOrigins;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.HttpGuard;
import dev.switchboard.cluster.ServerTls;
import dev.switchboard.cluster.ClusterSigner;
import dev.switchboard.coordinator.CoordinatorOptions;
import dev.switchboard.model.SseWriter;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The coordinator's HTTP side, wired on one event loop: registry and heartbeats → {@link ViewReconciler}
 * → view → subscribers. The rule of what is listed lives in the reconciler; this class serves.
 */
public final class CoordinatorServer {

  private static final Logger log = LoggerFactory.getLogger(CoordinatorServer.class);
  private static final Pattern SERVICE = Pattern.compile("[a-z0-9-]{1,32}");
  private static final int MAX_EVENT_ID_LENGTH = 64;

  private final Vertx vertx;
  private final CoordinatorOptions options;
  private final BackendView view;
  private final SubscriberHub hub;
  private final CoordinatorMetrics metrics;
  private final RegistryWatcher watcher;
  private final ViewReconciler reconciler;
  private final BackendProbe probe;
  private final ClusterSigner signer;
  /** Kinds of refused event-bus messages already logged as a warning; later ones go to debug. */
  private final Set<String> refusalsLogged = new HashSet<>();
  /** A named event EventSource shows to page code, so clients can notice a silent stream; no id, so resume is unaffected. */
  private final Buffer ping;
  /** Written every keep-alive period: the comment for proxies, then the ping, in one frame. */
  private final Buffer keepAlive;
  private MessageConsumer<Object> heartbeats;
  private MessageConsumer<Object> reports;
  private HttpServer server;
  private long keepAliveTimer = -1;
  private long livenessTimer = -1;
  private boolean ready;

  /** @param signer checks registry records, heartbeats and reports, and signs reports and commands */
  public CoordinatorServer(Vertx vertx, Context context, HazelcastInstance hazelcast, ClusterSigner signer,
      CoordinatorOptions options) {
    this.vertx = vertx;
    this.signer = signer;
    this.options = new CoordinatorOptions(options);
    this.view = new BackendView(options.getHistorySize());
    this.hub = new SubscriberHub(options.getMaxSubscribers());
    this.metrics = new CoordinatorMetrics(view, hub);
    this.watcher = new RegistryWatcher(vertx, context, hazelcast);
    this.probe = new BackendProbe(vertx, options.getProbeTimeoutMs());
    this.reconciler = new ViewReconciler(options, view, metrics, watcher, probe, signer, System::nanoTime, this::publish);
    this.ping = pingFrame(options.getKeepAliveMs());
    this.keepAlive = Buffer.buffer(SseWriter.comment("keep-alive")).appendBuffer(ping);
  }

  /** The {@code ping} event: {@code event: ping} and {@code data: {"keepAliveMs":n}}, without an id line. */
  static Buffer pingFrame(long keepAliveMs) {
    return Buffer.buffer(SseWriter.event(null, "ping", new JsonObject().put("keepAliveMs", keepAliveMs).encode()));
  }

  /** Loads the view, then listens; completes with the bound HTTP port. */
  public Future<Integer> start() {
    try {
      options.validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    heartbeats = vertx.eventBus().consumer(ClusterNames.HEARTBEAT_ADDRESS, this::onHeartbeat);
    reports = vertx.eventBus().consumer(ClusterNames.REPORTS_ADDRESS, this::onReport);
    return Future.all(heartbeats.completion(), reports.completion())
        .compose(v -> watcher.start(reconciler::apply))
        .map(v -> {
          reconciler.dropDepartedNodes();
          livenessTimer = vertx.setPeriodic(options.getLivenessCheckMs(), id -> reconciler.tick());
          ready = true;
          return v;
        })
        .compose(v -> HttpGuard.guard(vertx,
                vertx.createHttpServer(HttpGuard.options(serverOptions(), options.getIdleTimeoutMs())),
                options.getHeaderTimeoutMs(), router())
            .listen(options.getPort(), options.getHost()))
        .map(s -> {
          server = s;
          keepAliveTimer = vertx.setPeriodic(options.getKeepAliveMs(), id -> hub.broadcastAll(keepAlive));
          return s.actualPort();
        });
  }

  private HttpServerOptions serverOptions() {
    ServerTls tls = options.serverTls();
    return tls == null ? new HttpServerOptions() : tls.apply(new HttpServerOptions());
  }

  public Future<Void> stop() {
    ready = false;
    vertx.cancelTimer(keepAliveTimer);
    vertx.cancelTimer(livenessTimer);
    if (heartbeats != null) {
      heartbeats.unregister();
      reports.unregister();
    }
    Future<Void> unwatched = watcher.stop()
        .recover(e -> {
          log.warn("registry listeners not removed: {}", e.toString());
          return Future.succeededFuture();
        });
    hub.closeAll();
    probe.close();
    return Future.all(unwatched, server == null ? Future.succeededFuture() : server.close()).mapEmpty();
  }

  private Router router() {
    Router router = Router.router(vertx);
    AllowedOrigins origins = AllowedOrigins.parse(options.getAllowedOrigin());
    router.route().handler(ctx -> {
      if (origins.isAny()) {
        ctx.response().putHeader("Access-Control-Allow-Origin", AllowedOrigins.ANY);
      } else {
        // a list: echo the request's origin when listed; caches must key on it
        ctx.response().putHeader("Vary", "Origin");
        String origin = ctx.request().getHeader("Origin");
        if (origins.allows(origin)) {
          ctx.response().putHeader("Access-Control-Allow-Origin", origin);
        }
      }
      if (ctx.request().method() == HttpMethod.OPTIONS) {
        ctx.response()
            .putHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            .putHeader("Access-Control-Allow-Headers", "Last-Event-ID, Content-Type, Authorization")
            .putHeader("Access-Control-Max-Age", "600")
            .setStatusCode(204).end();
      } else {
        ctx.next();
      }
    });
    router.route().handler(CoordinatorServer::decodable); // after CORS, so a browser can read the 400
    router.get("/v1/backends").handler(this::list);
    router.get("/v1/backends/stream").handler(this::stream);
    router.post("/v1/backends/:id/reports").handler(BodyHandler.create(false).setBodyLimit(1024)).handler(this::report);
    router.get("/v1/backends/:id/reports").handler(ctx -> json(ctx.response(), 200, new JsonObject()
        .put("backend", ctx.pathParam("id"))
        .put("reporters", reconciler.reporters(ctx.pathParam("id")))
        .put("threshold", options.getReportThreshold())
        .put("probing", reconciler.isProbing(ctx.pathParam("id")))
        .put("quarantined", reconciler.isQuarantined(ctx.pathParam("id")))));
    router.get("/health/live").handler(ctx -> json(ctx.response(), 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::readiness);
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
    if (options.getAdminToken() != null) {
      new AdminApi(vertx, signer, options.getAdminToken(), reconciler.registry()::get, reconciler.registry().values()).mount(router);
    }
    // every 4xx the router itself produces (a bad path encoding, 413 from the body limit, …) gets a JSON body too
    for (int status = 400; status < 500; status++) {
      String reason = HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase(Locale.ROOT);
      int code = status;
      router.errorHandler(status, ctx -> failed(ctx, code, reason));
    }
    router.errorHandler(404, ctx -> failed(ctx, 404, "no such resource: " + ctx.request().path()));
    router.errorHandler(405, ctx -> failed(ctx, 405, "method not allowed"));
    router.errorHandler(413, ctx -> failed(ctx, 413, "request body too large"));
    router.errorHandler(500, ctx -> {
      log.error("request {} failed", ctx.request().path(), ctx.failure());
      failed(ctx, 500, "internal error");
    });
    return router;
  }

  /** A query string that is not valid percent-encoding is the client's fault: 400, not a 500 and a stack trace. */
  private static void decodable(RoutingContext ctx) {
    try {
      ctx.request().params();
      ctx.queryParams();
    } catch (IllegalArgumentException e) {
      error(ctx.response(), 400, "the query string is not valid percent-encoding");
      return;
    }
    ctx.next();
  }

  /** A router failure's answer; a response already under way (a stream) is closed instead. */
  private static void failed(RoutingContext ctx, int status, String message) {
    if (ctx.response().headWritten()) {
      ctx.request().connection().close();
    } else {
      error(ctx.response(), status, message);
    }
  }

  private void list(RoutingContext ctx) {
    String service = serviceParam(ctx);
    if (service == null && ctx.response().ended()) {
      return;
    }
    JsonArray backends = new JsonArray();
    view.list(service).forEach(r -> backends.add(r.toJson()));
    json(ctx.response(), 200, new JsonObject().put("version", view.eventId()).put("backends", backends));
  }

  private void stream(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String service = serviceParam(ctx);
    if (service == null && ctx.response().ended()) {
      return;
    }
    HttpServerResponse response = ctx.response();
    if (hub.full()) {
      response.putHeader("Retry-After", String.valueOf(Math.max(1, options.getRetryMs() / 1000)));
      error(response, 503, "subscriber limit reached, retry later");
      return;
    }
    String lastEventId = request.getHeader("Last-Event-ID");
    if (lastEventId == null) {
      lastEventId = request.getParam("lastEventId");
    }
    if (lastEventId != null && lastEventId.length() > MAX_EVENT_ID_LENGTH) {
      lastEventId = null;
    }
    response.setChunked(true)
        .setWriteQueueMaxSize(options.getSubscriberQueueBytes())
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    Subscriber subscriber = new Subscriber(request, service);
    response.closeHandler(v -> hub.remove(subscriber));
    response.exceptionHandler(e -> hub.remove(subscriber));
    response.write(SseWriter.retry(options.getRetryMs()));
    Optional<List<ViewEvent>> missed = view.since(lastEventId, service);
    if (missed.isPresent()) {
      missed.get().forEach(e -> response.write(e.frame()));
    } else {
      response.write(view.snapshotFrame(service));
    }
    response.write(ping); // tells the client the keep-alive period at once
    hub.add(subscriber);
  }

  private void readiness(RoutingContext ctx) {
    boolean ok = ready && watcher.connected();
    json(ctx.response(), ok ? 200 : 503, new JsonObject()
        .put("status", ok ? "UP" : "DOWN")
        .put("backends", view.records().size())
        .put("version", view.eventId()));
  }

  /** The validated {@code service} parameter; null when absent, or when a 400 was sent for a bad one. */
  private static String serviceParam(RoutingContext ctx) {
    String service = ctx.request().getParam("service");
    if (service != null && !SERVICE.matcher(service).matches()) {
      error(ctx.response(), 400, "service must match [a-z0-9-]{1,32}");
      return null;
    }
    return service;
  }

  /** A client could not reach a listed backend: count it on every coordinator. */
  private void report(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!reconciler.registry().containsKey(id)) {
      error(ctx.response(), 404, "no backend " + id);
      return;
    }
    String reporter = ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress();
    vertx.eventBus().publish(ClusterNames.REPORTS_ADDRESS, signer.sealMessage(ClusterNames.REPORTS_ADDRESS,
        new JsonObject().put("backend", id).put("reporter", reporter)));
    json(ctx.response(), 202, new JsonObject().put("backend", id).put("reporter", reporter)
        .put("threshold", options.getReportThreshold()));
  }

  private void onReport(Message<Object> message) {
    JsonObject body = open(message, CoordinatorMetrics.REFUSED_REPORT);
    if (body != null && body.getValue("backend") instanceof String id
        && body.getValue("reporter") instanceof String reporter) {
      reconciler.report(id, reporter);
    }
  }

  private void onHeartbeat(Message<Object> message) {
    JsonObject body = open(message, CoordinatorMetrics.REFUSED_HEARTBEAT);
    if (body != null && body.getValue("node") instanceof String node) {
      reconciler.heard(node);
    }
  }

  /** The body of a message a member signed (any JSON body without a secret); null, counted and logged, for any other. */
  private JsonObject open(Message<Object> message, String kind) {
    try {
      return signer.openMessage(message.address(), message.body() instanceof JsonObject json ? json : null);
    } catch (ClusterSigner.InvalidSignatureException e) {
      metrics.refusedMessage(kind);
      String what = "refused a " + kind + " on " + message.address() + " (" + e.failure() + "): " + e.getMessage();
      if (refusalsLogged.add(kind + " " + e.failure())) {
        log.warn("{} — further refusals of this kind are logged at debug", what);
      } else {
        log.debug(what);
      }
      return null;
    }
  }

  /** Sends one change to every subscriber, timing the fan-out. */
  private void publish(ViewEvent event) {
    long start = System.nanoTime();
    hub.broadcast(event);
    metrics.fannedOut(System.nanoTime() - start);
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static void error(HttpServerResponse response, int status, String message) {
    json(response, status, new JsonObject().put("error", message));
  }
}
