package dev.switchboard.backend;

import dev.switchboard.backend.impl.BackendRegistration;
import dev.switchboard.backend.impl.BackendSession;
import dev.switchboard.backend.impl.MovesInFlight;
import dev.switchboard.backend.impl.RebalanceAsks;
import dev.switchboard.backend.impl.NodeHeartbeat;
import dev.switchboard.backend.impl.RebalancePlan;
import dev.switchboard.backend.impl.RoomService;
import dev.switchboard.backend.impl.RoomSlots;
import dev.switchboard.backend.impl.RoomSweeper;
import dev.switchboard.backend.impl.TicketVerifier;
import dev.switchboard.cluster.AllowedOrigins;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.HttpGuard;
import dev.switchboard.cluster.ServerTls;
import dev.switchboard.cluster.ClusterSigner;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.DrainReason;
import dev.switchboard.model.WsMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Switchboard backend: a WebSocket endpoint at {@code /ws} on its own port, registered in the
 * cluster and heartbeating to the coordinators while deployed (PROTOCOL §1, §3). Undeploying it
 * removes its record first, then closes.
 */
public final class BackendVerticle extends VerticleBase {

  /** The WebSocket path. */
  public static final String PATH = "/ws";
  /** Health endpoints on every backend's port, like the coordinator's. */
  public static final String HEALTH_LIVE = "/health/live";
  public static final String HEALTH_READY = "/health/ready";

  private final BackendOptions options;
  private final String nodeId;
  private final ClusterNode cluster;
  private RoomService rooms;
  /** The node's room sweeper when a {@link BackendNode} shares one; else this verticle runs its own. */
  private RoomSweeper sweeper;
  private boolean ownSweeper;
  private final String id;
  private final int port;
  private static final Logger log = LoggerFactory.getLogger(BackendVerticle.class);
  /** The node says once, not once per backend, that it admits anyone. */
  private static final AtomicBoolean WARNED_TICKETS_OFF = new AtomicBoolean();

  /** Insertion-ordered: oldest first, the order a rebalance asks clients to move in. */
  private final Map<ServerWebSocket, BackendSession> sessions = new LinkedHashMap<>();
  private volatile int connectionCount;
  private final MovesInFlight moves;
  private final RebalanceAsks asks;
  private MessageHandler application;
  private Authorizer authorizer = Authorizer.ticketRooms();
  /** Null when tickets are off. */
  private TicketVerifier tickets;
  private AllowedOrigins origins;
  private long pingTimer = -1;
  private Promise<Void> drained;
  private HttpServer server;
  private BackendRegistration registration;
  private NodeHeartbeat heartbeat;
  private volatile BackendRecord record;

  /**
   * @param nodeId the cluster node hosting this backend
   * @param index this backend's index on its node: it listens on {@code portBase + index} (or a free
   *     port when {@code portBase} is 0) and is named {@code <first 8 of nodeId>-<index>}
   */
  public BackendVerticle(BackendOptions options, String nodeId, int index) {
    this(options, nodeId, null, index);
  }

  /** A backend that also serves chat rooms (PROTOCOL §3) through the cluster {@code node} it runs on. */
  public BackendVerticle(BackendOptions options, ClusterNode node, int index) {
    this(options, node.nodeId(), node, index);
  }

  /** A room-serving backend whose room caps and sweeps are the node's, shared with its other backends. */
  BackendVerticle(BackendOptions options, ClusterNode node, int index, RoomSweeper sweeper) {
    this(options, node.nodeId(), node, index);
    this.sweeper = sweeper;
  }

  private BackendVerticle(BackendOptions options, String nodeId, ClusterNode cluster, int index) {
    this.options = new BackendOptions(options);
    this.moves = new MovesInFlight(TimeUnit.MILLISECONDS.toNanos(options.getRebalanceDeadlineMs()));
    this.asks = new RebalanceAsks(sessions::values, moves, TimeUnit.MILLISECONDS.toNanos(options.getRebalanceHoldDownMs()));
    this.nodeId = nodeId;
    this.cluster = cluster;
    this.id = shortNode(nodeId) + "-" + index;
    this.port = options.getPortBase() == 0 ? 0 : options.getPortBase() + index;
  }

  @Override
  public Future<?> start() {
    try {
      origins = AllowedOrigins.parse(options.getAllowedOrigins());
      tickets = options.hasTicketKeys() ? TicketVerifier.create(options.getTicketSecret(), options.getTicketPublicKey(),
          options.getTicketJwks(), Clock.systemUTC()) : null;
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (tickets == null && WARNED_TICKETS_OFF.compareAndSet(false, true)) {
      log.warn("tickets are off (no --ticket-secret, --ticket-public-key or --ticket-jwks): any client may connect, "
          + "join and publish to any room");
    }
    if (cluster != null) {
      if (sweeper == null) {
        ownSweeper = true;
        sweeper = newSweeper(vertx, context, cluster, options);
        sweeper.start();
      }
      rooms = new RoomService(vertx, context, cluster.hazelcast(), sweeper, options.getMaxRoomsPerConnection());
    }
    // without a cluster node there is no secret to sign with
    ClusterSigner signer = cluster == null ? ClusterSigner.none() : cluster.signer();
    registration = new BackendRegistration(vertx, signer, options.getLoadReportMs(), options.getRefreshMs());
    heartbeat = new NodeHeartbeat(vertx, signer, cluster == null ? null : cluster.heartbeatTopic(), nodeId, id,
        options.getLivenessIntervalMs(), cluster == null ? -1 : cluster.startedAt());
    // Vert.x's own caps are only the memory backstop: it closes past them with 1000, so the session
    // enforces maxFrameBytes itself and closes with 1009
    int backstop = Math.max(4 * options.getMaxFrameBytes(), BackendOptions.DEFAULT_MAX_FRAME_BYTES);
    HttpServerOptions serverOptions = new HttpServerOptions()
        .setMaxWebSocketFrameSize(backstop)
        .setMaxWebSocketMessageSize(backstop);
    ServerTls tls;
    try {
      tls = options.serverTls();
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    if (tls != null) {
      tls.apply(serverOptions);
    }
    // HttpGuard: requests Vert.x cannot decode (414, 431, 400) get a JSON body like every other refusal, and a
    // head not complete by the deadline closes the connection (no idle timeout: an open WebSocket is pinged)
    return HttpGuard.guard(vertx, vertx.createHttpServer(HttpGuard.options(serverOptions, 0)), options.getHeaderTimeoutMs(),
        this::onRequest)
        .listen(port, options.getHost())
        .compose(s -> {
          server = s;
          record = new BackendRecord(id, options.getService(),
              ServerTls.webSocketScheme(tls) + "://" + options.getPublicHost() + ":" + s.actualPort() + PATH, nodeId, options.getZone(),
              BackendState.UP, 0, options.getCapacity(), options.getWeight(), System.currentTimeMillis());
          return registration.register(record);
        })
        .onSuccess(v -> {
          heartbeat.start();
          pingTimer = vertx.setPeriodic(options.getPingIntervalMs(),
              id -> List.copyOf(sessions.values()).forEach(BackendSession::pingTick));
        });
  }

  @Override
  public Future<?> stop() {
    Future<Void> deregistered = registration == null ? Future.succeededFuture() : registration.deregister();
    vertx.cancelTimer(pingTimer);
    if (rooms != null) {
      rooms.close();
    }
    if (ownSweeper) {
      sweeper.stop();
    }
    // beat until the record is gone, so coordinators report "deregistered", not "expired"
    return deregistered.eventually(() -> {
      if (heartbeat != null) {
        heartbeat.stop();
      }
      return server == null ? Future.succeededFuture() : server.close();
    });
  }

  /** Sets the handler of the application's own message types; call before deploying. */
  public BackendVerticle messageHandler(MessageHandler handler) {
    this.application = handler;
    return this;
  }

  /**
   * Sets who may join and publish to which room; call before deploying. The default,
   * {@link Authorizer#ticketRooms()}, follows the rooms of each client's ticket (anything goes without tickets).
   */
  public BackendVerticle authorizer(Authorizer authorizer) {
    this.authorizer = authorizer;
    return this;
  }

  /**
   * Drains this backend: its record turns {@code DRAINING} (clients choose it no more), new upgrades
   * are refused, every client gets {@code drain} with the deadline and is closed at the deadline if
   * still here. Completes when no connection is left. Undeploy it then to leave the list.
   */
  public Future<Void> drain(long deadlineMs) {
    Promise<Void> promise = Promise.promise();
    context.runOnContext(v -> {
      if (drained == null) {
        drained = Promise.promise();
        registration.state(BackendState.DRAINING)
            .onFailure(e -> log.warn("backend {}: DRAINING not published: {}", id, e.toString()));
        WsMessage.Drain frame = new WsMessage.Drain(deadlineMs);
        List.copyOf(sessions.values()).forEach(s -> s.move().ask(frame));
        completeDrainIfEmpty();
      }
      drained.future().onComplete(promise);
    });
    return promise.future();
  }

  /**
   * Rebalance: asks up to {@code shed.count()} clients to move within {@code deadlineMs}, each to its
   * own target: the first {@code c1} asked to the allocation's first target, the next {@code c2} to the
   * second, … Each gets a {@code drain} whose {@code prefer} names its target first, then the shedder's
   * other targets ({@link RebalancePlan.Shed#prefer(int)}); the backend stays {@code UP}. A client
   * that moved here less than the hold-down ago ({@link BackendOptions#getRebalanceHoldDownMs()}) is
   * never asked, and of the others the oldest go first ({@link RebalanceAsks}). Completes with how many
   * were asked.
   */
  public Future<Integer> shed(RebalancePlan.Shed shed, long deadlineMs) {
    List<WsMessage.Drain> frames = new ArrayList<>(shed.moves().size());
    try {
      for (int k = 0; k < shed.moves().size(); k++) {
        frames.add(WsMessage.Drain.rebalance(deadlineMs, shed.prefer(k)));
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    Promise<Integer> promise = Promise.promise();
    context.runOnContext(v -> promise.complete(asks.ask(shed, frames, System.nanoTime())));
    return promise.future();
  }

  /** A client answered a rebalance with {@code stay}: another is asked in its place, unless this backend is draining. */
  private void askInPlaceOfAStay(WsMessage.Drain frame) {
    if (drained == null && frame != null && frame.reason() == DrainReason.REBALANCE) {
      asks.askInPlace(frame, System.nanoTime());
    }
  }

  public boolean isDraining() {
    return drained != null;
  }

  /**
   * Whether clients a rebalance asked to move may still be on their way (read from any thread): one is
   * still connected and its move has not lapsed ({@link dev.switchboard.backend.impl.SessionMove#LAPSE_AFTER_DEADLINES} deadlines),
   * or one's move lapsed less than a rebalance deadline ago (it may still arrive late). While so, this backend's and its service's counts are in flux.
   */
  public boolean movesInFlight() {
    return moves.any(System.nanoTime());
  }

  /** Current WebSocket connections (read from any thread; exact on the verticle's context). */
  public int connections() {
    return connectionCount;
  }

  private void completeDrainIfEmpty() {
    if (drained != null && sessions.isEmpty()) {
      drained.tryComplete();
    }
  }

  /** The record as first published (its URL carries the bound port); null before start. */
  public BackendRecord record() {
    return record;
  }

  /**
   * {@code /health/live}: 200 while the server answers; {@code /health/ready}: 200 once this backend is
   * listening (its record made) and while it is not draining, else 503 (container and Kubernetes probes).
   */
  private void health(HttpServerRequest request) {
    boolean live = HEALTH_LIVE.equals(request.path());
    boolean ready = live || (record != null && drained == null);
    request.response().setStatusCode(ready ? 200 : 503).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("status", ready ? "UP" : drained != null ? "DRAINING" : "STARTING").encode());
  }

  private void onRequest(HttpServerRequest request) {
    if (HEALTH_LIVE.equals(request.path()) || HEALTH_READY.equals(request.path())) {
      health(request);
      return;
    }
    if (!PATH.equals(request.path())) {
      request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "WebSocket endpoint is " + PATH).encode());
      return;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !origins.allows(origin) && !sameOrigin(origin, request.getHeader(HttpHeaders.HOST))) {
      refuse(request, 403, "origin " + clip(origin) + " is not allowed to connect here");
      return;
    }
    Ticket ticket = null;
    if (tickets != null) {
      try {
        ticket = tickets.verify(request.getParam("ticket"));
      } catch (TicketVerifier.Rejected e) {
        log.debug("backend {}: upgrade refused: {}", id, e.getMessage());
        refuse(request, 401, e.getMessage());
        return;
      }
    }
    if (drained != null) {
      request.response().setStatusCode(503).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "backend " + id + " is draining").encode());
      return;
    }
    if (sessions.size() >= options.getCapacity()) {
      request.response().setStatusCode(503).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "backend " + id + " is full").encode());
      return;
    }
    Ticket admitted = ticket;
    request.toWebSocket()
        .onSuccess(socket -> onSocket(socket, admitted))
        .onFailure(e -> {
          if (!request.response().ended()) {
            request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", "expected a WebSocket upgrade: " + e.getMessage()).encode());
          }
        });
  }

  private void onSocket(ServerWebSocket socket, Ticket ticket) {
    BackendSession session = new BackendSession(vertx, socket, id, rooms, application, options.getMaxFrameBytes(),
        options.getMessagesPerSecond(), options.getMessageBurst(), options.getAbuseLimit(), options.getMaxOutboundBytes())
        .authorization(ticket, authorizer);
    session.move().releaseHandler(moves::released).lapseHandler(() -> moves.lapsed(System.nanoTime()))
        .stayHandler(this::askInPlaceOfAStay);
    sessions.put(socket, session);
    connectionCount = sessions.size();
    registration.connections(sessions.size());
    socket.closeHandler(v -> {
      session.closed();
      moves.closed(session.move());
      sessions.remove(socket);
      connectionCount = sessions.size();
      registration.connections(sessions.size());
      completeDrainIfEmpty();
    });
    session.start(Long.toHexString(ThreadLocalRandom.current().nextLong()), options.getHeartbeatMs());
  }

  private static void refuse(HttpServerRequest request, int status, String error) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", error).encode());
  }

  /**
   * A page served by this very host and port (no browser page is, so this is a non-browser client
   * such as Vert.x's, which sends its target as its origin).
   */
  private static boolean sameOrigin(String origin, String host) {
    int scheme = origin.indexOf("://");
    return host != null && scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
  }

  private static String clip(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "…" : s;
  }

  /** The room caps and sweeps of one node (its clock: this JVM's wall clock). */
  static RoomSweeper newSweeper(Vertx vertx, Context context, ClusterNode node, BackendOptions options) {
    RoomSlots slots = new RoomSlots(options.getMaxRoomsPerNode(), options.getRoomTtlMs(), System::currentTimeMillis);
    return new RoomSweeper(vertx, context, node.hazelcast(), slots, options.getRoomTtlMs(), System::currentTimeMillis);
  }

  private static String shortNode(String nodeId) {
    String clean = nodeId.replaceAll("[^A-Za-z0-9]", "");
    return clean.length() > 8 ? clean.substring(0, 8) : clean;
  }
}
