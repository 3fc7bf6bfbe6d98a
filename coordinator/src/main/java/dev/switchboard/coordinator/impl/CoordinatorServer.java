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
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Handler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The coordinator's HTTP side: registry and heartbeats → {@link ViewReconciler} → view, all on the
 * view's event loop, → {@link FanOut} → subscribers, sharded over N HTTP servers on N event loops
 * ({@link ShardVerticle}), all on one port. Requests that read or change the view hop to the view's
 * loop; streams stay on their shard. The rule of what is listed lives in the reconciler; this class serves.
 */
public final class CoordinatorServer {

  private static final Logger log = LoggerFactory.getLogger(CoordinatorServer.class);
  private final Vertx vertx;
  private final Context viewContext;
  private final CoordinatorOptions options;
  private final BackendView view;
  private final FanOut fanOut;
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
  private final HeartbeatTopic heartbeatTopic;
  private MessageConsumer<Object> reports;
  private final List<String> shardDeployments = new ArrayList<>();
  private volatile int boundPort = -1;
  private long keepAliveTimer = -1;
  private long livenessTimer = -1;
  private boolean ready;

  /** @param signer checks registry records, heartbeats and reports, and signs reports and commands */
  public CoordinatorServer(Vertx vertx, Context context, HazelcastInstance hazelcast, ClusterSigner signer,
      CoordinatorOptions options) {
    this.vertx = vertx;
    this.viewContext = context;
    this.signer = signer;
    this.options = new CoordinatorOptions(options);
    this.view = new BackendView(options.getHistorySize());
    this.ping = pingFrame(options.getKeepAliveMs());
    this.keepAlive = Buffer.buffer(SseWriter.comment("keep-alive")).appendBuffer(ping);
    this.fanOut = new FanOut(context, view, options.getRetryMs(), ping, options.getMaxSubscribers());
    this.metrics = new CoordinatorMetrics(view, fanOut);
    this.watcher = new RegistryWatcher(vertx, context, hazelcast);
    this.heartbeatTopic = new HeartbeatTopic(vertx, context, hazelcast);
    this.probe = new BackendProbe(vertx, options.getProbeTimeoutMs());
    this.reconciler = new ViewReconciler(options, view, metrics, watcher, probe, signer, System::nanoTime, fanOut::publish);
  }

  /** The {@code ping} event: {@code event: ping} and {@code data: {"keepAliveMs":n}}, without an id line. */
  static Buffer pingFrame(long keepAliveMs) {
    return Buffer.buffer(SseWriter.event(null, "ping", new JsonObject().put("keepAliveMs", keepAliveMs).encode()));
  }

  /** Loads the view, then starts the shards' servers; completes with the bound HTTP port. */
  public Future<Integer> start() {
    try {
      options.validate();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    heartbeats = vertx.eventBus().consumer(ClusterNames.HEARTBEAT_ADDRESS, this::onHeartbeat);
    reports = vertx.eventBus().consumer(ClusterNames.REPORTS_ADDRESS, this::onReport);
    return Future.all(heartbeats.completion(), reports.completion(), heartbeatTopic.start(this::onTopicHeartbeat))
        .compose(v -> watcher.start(reconciler::apply))
        .map(v -> {
          reconciler.dropDepartedNodes();
          livenessTimer = vertx.setPeriodic(options.getLivenessCheckMs(), id -> reconciler.tick());
          ready = true;
          return v;
        })
        .compose(v -> deployShards(shardCount()))
        .map(v -> {
          keepAliveTimer = vertx.setPeriodic(options.getKeepAliveMs(), id -> fanOut.broadcastAll(keepAlive));
          log.debug("coordinator serving on port {} with {} fan-out shards", boundPort, fanOut.shards());
          return boundPort;
        });
  }

  /** The configured shard count, or one per event loop. */
  private int shardCount() {
    if (options.getFanOutShards() > 0) {
      return options.getFanOutShards();
    }
    int loops = 0;
    for (var ignored : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      loops++;
    }
    return Math.max(1, loops);
  }

  /**
   * The port the shards listen on together. Vert.x shares a port between servers of one process that
   * listen on the same positive port, or on the same negative number (one free port, chosen once); a
   * configured 0 becomes a negative number of this coordinator's own.
   */
  static int sharedPort(int configured) {
    return configured != 0 ? configured : -(1 + ThreadLocalRandom.current().nextInt(Integer.MAX_VALUE - 1));
  }

  private Future<Void> deployShards(int count) {
    HttpServerOptions serverOptions = HttpGuard.options(serverOptions(), options.getIdleTimeoutMs());
    int port = sharedPort(options.getPort());
    return vertx.deployVerticle(() -> new ShardVerticle(fanOut, metrics::fannedOut, shard ->
                HttpGuard.guard(vertx, vertx.createHttpServer(serverOptions), options.getHeaderTimeoutMs(), router(shard))
                    .listen(port, options.getHost())
                    .onSuccess(s -> boundPort = s.actualPort())),
            new DeploymentOptions().setInstances(count))
        .map(id -> {
          shardDeployments.add(id);
          return null;
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
    Future<Void> unwatched = Future.all(watcher.stop(), heartbeatTopic.stop()).<Void>mapEmpty()
        .recover(e -> {
          log.warn("registry listeners not removed: {}", e.toString());
          return Future.succeededFuture();
        });
    probe.close();
    // shards deployed from the coordinator verticle are undeployed with it; undeploy any still running
    List<Future<Void>> stopped = new ArrayList<>(List.of(unwatched));
    for (String id : shardDeployments) {
      if (vertx.deploymentIDs().contains(id)) {
        stopped.add(vertx.undeploy(id));
      }
    }
    shardDeployments.clear();
    return Future.all(stopped).mapEmpty();
  }

  /** Runs a handler that reads or changes the view on the view's loop; the response is written from there. */
  private Handler<RoutingContext> onView(Handler<RoutingContext> handler) {
    return ctx -> viewContext.runOnContext(v -> handler.handle(ctx));
  }

  /** The routes of one shard's server: its streams stay on the shard, the rest runs on the view's loop. */
  private Router router(SubscriberShard shard) {
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
    StreamEndpoint streams = new StreamEndpoint(fanOut, shard, options.getSubscriberQueueBytes(), options.getRetryMs());
    router.get("/v1/backends").handler(onView(this::list));
    router.get("/v1/backends/stream").handler(streams::handle);
    router.post("/v1/backends/:id/reports").handler(BodyHandler.create(false).setBodyLimit(1024)).handler(onView(this::report));
    router.get("/v1/backends/:id/reports").handler(onView(ctx -> json(ctx.response(), 200, new JsonObject()
        .put("backend", ctx.pathParam("id"))
        .put("reporters", reconciler.reporters(ctx.pathParam("id")))
        .put("threshold", options.getReportThreshold())
        .put("probing", reconciler.isProbing(ctx.pathParam("id")))
        .put("quarantined", reconciler.isQuarantined(ctx.pathParam("id"))))));
    router.get("/health/live").handler(ctx -> json(ctx.response(), 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(onView(this::readiness));
    router.get("/metrics").handler(onView(ctx -> ctx.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape())));
    if (options.getAdminToken() != null) {
      new AdminApi(vertx, signer, options.getAdminToken(), reconciler.registry()::get, reconciler.registry().values(),
          reconciler::nodeStatus).mount(router, this::onView);
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

  private void readiness(RoutingContext ctx) {
    boolean ok = ready && watcher.connected();
    json(ctx.response(), ok ? 200 : 503, new JsonObject()
        .put("status", ok ? "UP" : "DOWN")
        .put("backends", view.records().size())
        .put("version", view.eventId()));
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
    JsonObject body = open(message.address(), message.body(), CoordinatorMetrics.REFUSED_REPORT);
    if (body != null && body.getValue("backend") instanceof String id
        && body.getValue("reporter") instanceof String reporter) {
      reconciler.report(id, reporter);
    }
  }

  private void onHeartbeat(Message<Object> message) {
    heard(open(message.address(), message.body(), CoordinatorMetrics.REFUSED_HEARTBEAT));
  }

  /** A heartbeat from the Hazelcast topic: the same body, sealed for the topic's name. */
  private void onTopicHeartbeat(String text) {
    Object sealed;
    try {
      sealed = new JsonObject(text);
    } catch (DecodeException e) {
      sealed = null; // refused below as malformed, like any body that is not an object
    }
    heard(open(ClusterNames.HEARTBEAT_TOPIC, sealed, CoordinatorMetrics.REFUSED_HEARTBEAT));
  }

  private void heard(JsonObject body) {
    if (body != null && body.getValue("node") instanceof String node) {
      // nodeStartedAt is an optional extension of the heartbeat (docs/protocol.md)
      reconciler.heard(node, body.getValue("nodeStartedAt") instanceof Long at ? at
          : body.getValue("nodeStartedAt") instanceof Integer at ? at : -1L);
    }
  }

  /** The body of a message a member signed (any JSON body without a secret); null, counted and logged, for any other. */
  private JsonObject open(String address, Object body, String kind) {
    try {
      return signer.openMessage(address, body instanceof JsonObject json ? json : null);
    } catch (ClusterSigner.InvalidSignatureException e) {
      metrics.refusedMessage(kind);
      String what = "refused a " + kind + " on " + address + " (" + e.failure() + "): " + e.getMessage();
      if (refusalsLogged.add(kind + " " + e.failure())) {
        log.warn("{} — further refusals of this kind are logged at debug", what);
      } else {
        log.debug(what);
      }
      return null;
    }
  }

  private static void json(HttpServerResponse response, int status, JsonObject body) {
    StreamEndpoint.json(response, status, body);
  }

  private static void error(HttpServerResponse response, int status, String message) {
    StreamEndpoint.error(response, status, message);
  }

  private static String serviceParam(RoutingContext ctx) {
    return StreamEndpoint.serviceParam(ctx);
  }
}
