package dev.switchboard.client;

import dev.switchboard.client.policy.Policy;
import dev.switchboard.client.policy.Selector;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.RemoveReason;
import dev.switchboard.model.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A Switchboard client on Vert.x. It follows the backend list (moving to another coordinator when
 * one fails), holds {@code connections} WebSockets to as many distinct backends chosen by policy,
 * heartbeats them and replaces any that fail, with jittered backoff and a bounded retry rate however
 * long nothing is reachable. A backend it cannot reach is reported to the coordinator.
 *
 * <p>Rooms and publishes use the pool's primary connection (the oldest open one); when it fails the
 * next open connection takes over at once, rejoining every room with {@code since} = the last seq
 * delivered and resending every unacked publish with its id, so the application neither loses nor
 * repeats a room message. A {@code drain} moves a connection make-before-break at a random moment
 * within half the deadline: the new connection is open, and its rooms joined, before the old one
 * closes. {@link #send} spreads over the open connections and queues (bounded) while none is open.
 * With a ticket option, every connection attempt asks for a ticket first and presents it as
 * {@code ?ticket=}; a join or publish the backend refuses ({@code forbidden}) fails with a
 * {@link ForbiddenException}. Everything runs on one Vert.x context; the methods may be called from
 * any thread.
 */
public final class SwitchboardClient {

  private static final Logger log = LoggerFactory.getLogger(SwitchboardClient.class);
  /** After this many failed attempts in a row with nothing open, the state is {@link ClientState#OFFLINE}. */
  static final int OFFLINE_AFTER_FAILURES = 3;

  private record Pending(String room, Object data, Promise<Long> acked) {
  }

  private record Queued(String text, Promise<Void> written) {
  }

  private static final class Connection {
    final BackendRecord backend;
    /** The backend's connection count as last listed: how many clients a loss of it displaces. */
    int listedConnections;
    final ClientWebSocket socket;
    final long startedAt = System.currentTimeMillis();
    /** The connection this one replaces once it is ready (make-before-break), or null. */
    Connection replaces;
    Set<String> awaitingJoins;
    /** The WebSocket handshake started (the ticket, if any, was had). */
    boolean dialed;
    boolean ready;
    boolean abandoned;
    /** Its backend left the list as {@code unreachable}, but this connection works: kept while it answers heartbeats. */
    boolean keptUnlisted;
    long openedAt;
    long heardAt;
    long pingId;
    long pingSentAt = -1;
    long pingSentNanos;

    Connection(BackendRecord backend, ClientWebSocket socket, Connection replaces) {
      this.backend = backend;
      this.socket = socket;
      this.replaces = replaces;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final SwitchboardClientOptions options;
  private final Policy policy;
  private final WebSocketClient sockets;
  private final BackendListStream list;
  private final Map<String, Long> rooms = new LinkedHashMap<>();
  private final Map<String, Promise<Long>> joins = new LinkedHashMap<>();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();
  /** Ready connections; index 0 is the primary (rooms and publishes). Copy-on-write: read by other threads. */
  private final List<Connection> open = new CopyOnWriteArrayList<>();
  /** Connections waiting for their welcome, or (a replacement of the primary) for their rooms. */
  private final List<Connection> opening = new ArrayList<>();
  private final Set<String> knownIds = new HashSet<>();
  /** When an attempt on a backend last failed: such a backend is tried again only if no other is left. */
  private final Map<String, Long> failedAt = new HashMap<>();
  /** When an established connection to a backend was lost: never tried again while another is listed. */
  private final Map<String, Long> lostAt = new HashMap<>();
  private final DoubleSupplier random = ThreadLocalRandom.current()::nextDouble;
  /** Why the pool lost a connection, until a refill opens: the refill says so to its backend. */
  private MoveReason refillReason;
  /** Built once per list snapshot, so round-robin rotates across this client's picks. */
  private Selector selector;
  private final Promise<Void> firstOpen = Promise.promise();
  private volatile Consumer<JsonObject> messages = m -> { };
  private volatile Consumer<Failover> failovers = f -> { };
  private volatile Consumer<Move> moves = m -> { };
  private volatile Consumer<ClientState> states = s -> { };
  private volatile Consumer<Collection<BackendRecord>> lists = l -> { };
  private volatile Consumer<BackendRecord> opens = b -> { };
  private volatile Consumer<BackendRecord> attemptsTo = b -> { };
  private volatile Consumer<BackendRecord> closes = b -> { };
  private volatile Consumer<Rtt> rtts = r -> { };
  private volatile ClientState state = ClientState.CONNECTING;
  private int attempt;
  private int failuresInARow;
  private int sendCounter;
  private volatile long attempts;
  private boolean closed;
  private long heartbeatTimer = -1;
  private long fillTimer = -1;

  public SwitchboardClient(Vertx vertx, SwitchboardClientOptions options) {
    if (options.getCoordinators().isEmpty()) {
      throw new IllegalArgumentException("options.coordinators must list at least one URL");
    }
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.options = new SwitchboardClientOptions(options);
    this.policy = Policy.of(options.getPolicy());
    this.selector = policy.selector(List.of(), random);
    this.sockets = vertx.createWebSocketClient(options.applyTls(new WebSocketClientOptions().setMaxConnections(options.getConnections() * 2 + 2)));
    int first = BackendListStream.startIndex(options.getCoordinators(), options.getKey(), ThreadLocalRandom.current()::nextDouble);
    this.list = new BackendListStream(vertx, options.getCoordinators(), options.getService(), first, options.applyTls(new HttpClientOptions()));
  }

  /** Room messages ({@code {"type":"message",…}}, once each, in seq order per room) and application frames. */
  public SwitchboardClient messageHandler(Consumer<JsonObject> handler) {
    this.messages = handler;
    return this;
  }

  /** Called when a connection fails and leaves its backend, with the reason (planned moves go to {@link #moveHandler}). */
  public SwitchboardClient failoverHandler(Consumer<Failover> handler) {
    this.failovers = handler;
    return this;
  }

  /** Called when a backend asks this client to move ({@code drain} or {@code rebalance}) and the move starts. */
  public SwitchboardClient moveHandler(Consumer<Move> handler) {
    this.moves = handler;
    return this;
  }

  /** Called when the pool's {@link ClientState} changes. */
  public SwitchboardClient stateHandler(Consumer<ClientState> handler) {
    this.states = handler;
    return this;
  }

  /** Called with the whole list after every change. */
  public SwitchboardClient backendsHandler(Consumer<Collection<BackendRecord>> handler) {
    this.lists = handler;
    return this;
  }

  /** Called when a connection attempt to a backend starts (monitoring). */
  public SwitchboardClient connectHandler(Consumer<BackendRecord> handler) {
    this.attemptsTo = handler;
    return this;
  }

  /** Called when a connection to a backend is open (welcomed). */
  public SwitchboardClient openHandler(Consumer<BackendRecord> handler) {
    this.opens = handler;
    return this;
  }

  /** Called when an open connection to a backend closed, for whatever reason. */
  public SwitchboardClient closeHandler(Consumer<BackendRecord> handler) {
    this.closes = handler;
    return this;
  }

  /** Called when a heartbeat's pong comes back, with its round-trip time (monitoring). */
  public SwitchboardClient rttHandler(Consumer<Rtt> handler) {
    this.rtts = handler;
    return this;
  }

  /** Follows the list and connects; completes once the first connection is open. */
  public Future<Void> start() {
    return onContext(() -> {
      list.handler(this::onList);
      heartbeatTimer = vertx.setPeriodic(Math.max(50, Math.min(options.getIntervalMs(), options.getTimeoutMs() / 2)), id -> tick());
      return list.open().compose(v -> firstOpen.future());
    });
  }

  /** Joins a room; completes with the seq the room starts after for this client. */
  public Future<Long> join(String room) {
    return onContext(() -> {
      Promise<Long> joined = Promise.promise();
      Promise<Long> earlier = joins.put(room, joined);
      if (earlier != null) {
        joined.future().onComplete(earlier);
      }
      rooms.putIfAbsent(room, null);
      Connection primary = primary();
      if (primary != null) {
        sendJoin(primary, room);
      }
      return joined.future();
    });
  }

  /**
   * Publishes; completes with the message's seq once the cluster stored it, after failovers if need
   * be (resent with the same id). Fails at once when {@code queueSize} publishes are unacked.
   */
  public Future<Long> publish(String room, Object data) {
    return onContext(() -> {
      if (pending.size() >= options.getQueueSize()) {
        return Future.failedFuture(new IllegalStateException(
            "too many unacked publishes (" + pending.size() + " ≥ queueSize " + options.getQueueSize() + ")"));
      }
      String id = UUID.randomUUID().toString();
      Pending p = new Pending(room, data, Promise.promise());
      pending.put(id, p);
      Connection primary = primary();
      if (primary != null) {
        sendPublish(primary, id, p);
      }
      return p.acked().future();
    });
  }

  /**
   * Sends an application message on an open connection (round-robin over the open ones; random for
   * {@code random} and {@code least-loaded}; the primary for {@code sticky}). While none is open, or
   * every open one's write queue is full, it waits in a queue of at most {@code queueSize} messages;
   * beyond that the future fails. Completes once written to a socket.
   */
  public Future<Void> send(JsonObject message) {
    String text = message.encode();
    return onContext(() -> {
      Connection c = writable();
      if (c != null && queue.isEmpty()) {
        return c.socket.writeTextMessage(text);
      }
      if (queue.size() >= options.getQueueSize()) {
        return Future.failedFuture(new IllegalStateException("send queue full (" + queue.size() + " messages)"));
      }
      Queued q = new Queued(text, Promise.promise());
      queue.add(q);
      return q.written().future();
    });
  }

  /** The backend of the primary connection, or null. */
  public BackendRecord backend() {
    List<Connection> now = List.copyOf(open);
    return now.isEmpty() ? null : now.get(0).backend;
  }

  /** The backends of the open connections, primary first. */
  public List<BackendRecord> backends() {
    return List.copyOf(open).stream().map(c -> c.backend).toList();
  }

  public ClientState state() {
    return state;
  }

  /** The base URL of the coordinator whose list is followed now. */
  public String coordinator() {
    return list.coordinator();
  }

  /** Connection attempts made so far (monitoring: the retry rate stays bounded while nothing is reachable). */
  public long connectAttempts() {
    return attempts;
  }

  /** The list as last known (stays while no coordinator answers). */
  public Collection<BackendRecord> knownBackends() {
    return List.copyOf(list.backends().values());
  }

  /** Closes every connection and the list stream; unacked publishes and queued sends fail. */
  public Future<Void> close() {
    return onContext(() -> {
      closed = true;
      vertx.cancelTimer(heartbeatTimer);
      vertx.cancelTimer(fillTimer);
      List<Connection> all = new ArrayList<>(open);
      all.addAll(opening);
      open.clear();
      opening.clear();
      all.forEach(c -> closeQuietly(c, (short) 1000, "client closed"));
      IllegalStateException e = new IllegalStateException("client closed");
      pending.values().forEach(p -> p.acked().tryFail(e));
      joins.values().forEach(p -> p.tryFail(e));
      queue.forEach(q -> q.written().tryFail(e));
      pending.clear();
      joins.clear();
      queue.clear();
      firstOpen.tryFail(e);
      setState(ClientState.OFFLINE);
      return list.close().eventually(sockets::close);
    });
  }

  // ---- list and pool --------------------------------------------------------------------------

  private void onList(ListEvent change) {
    Collection<BackendRecord> backends = list.backends().values();
    selector = policy.selector(List.copyOf(backends), random);
    emit(lists, List.copyOf(backends));
    boolean newcomer = false;
    for (BackendRecord b : backends) {
      newcomer |= b.state() == BackendState.UP && knownIds.add(b.id());
    }
    knownIds.retainAll(list.backends().keySet());
    for (Connection c : List.copyOf(opening)) {
      if (!list.backends().containsKey(c.backend.id())) {
        abandon(c);
      }
    }
    for (Connection c : List.copyOf(open)) {
      BackendRecord listed = list.backends().get(c.backend.id());
      if (listed != null) {
        c.listedConnections = listed.connections();
        c.keptUnlisted = false;
      } else if (change instanceof ListEvent.Remove remove && remove.id().equals(c.backend.id())
          && remove.removeReason() == RemoveReason.UNREACHABLE) {
        // others could not reach it, but this connection works: keep it (heartbeats judge it), choose it for nothing new
        c.keptUnlisted = true;
        log.info("backend {} left the list as unreachable; its connection here works and stays", c.backend.id());
      } else if (!c.keptUnlisted || change instanceof ListEvent.Remove remove && remove.id().equals(c.backend.id())) {
        failover(c, MoveReason.REMOVED, "backend left the list"); // at once: it is gone for everyone
      }
    }
    if (newcomer && fillTimer != -1) {
      vertx.cancelTimer(fillTimer); // a new backend is new hope: try it now rather than after the backoff
      fillTimer = -1;
    }
    if (fillTimer == -1) {
      fill();
    }
    updateState();
  }

  /** Opens connections to distinct backends until the pool is full or no other UP backend is left. */
  private void fill() {
    if (closed) {
      return;
    }
    int wanted = options.getConnections() - open.size() - (int) opening.stream().filter(c -> c.replaces == null).count();
    for (int i = 0; i < wanted; i++) {
      BackendRecord target = pick(b -> true);
      if (target == null) {
        break;
      }
      connect(target, null, refillReason);
    }
  }

  /**
   * The policy's pick among {@code allowed} backends not in the pool: first among those that did not
   * fail lately, then among any but a backend whose established connection was just lost; that one
   * only when no other backend is listed.
   */
  private BackendRecord pick(Predicate<BackendRecord> allowed) {
    Set<String> used = used();
    Predicate<BackendRecord> unused = b -> !used.contains(b.id()) && allowed.test(b);
    Predicate<BackendRecord> notLost = b -> unused.test(b) && !lostAt.containsKey(b.id());
    BackendRecord pick = selector.pick(options.getKey(), b -> notLost.test(b) && !failedAt.containsKey(b.id()));
    if (pick == null) {
      pick = selector.pick(options.getKey(), notLost);
    }
    if (pick == null && list.backends().values().stream().noneMatch(b -> b.choosable() && !lostAt.containsKey(b.id()))) {
      pick = selector.pick(options.getKey(), unused); // nothing else is listed: the lost backend is all there is
    }
    return pick;
  }

  /** Not in the pool, and neither failed nor lost lately: where a planned move may go first. */
  private Predicate<BackendRecord> usable() {
    Set<String> used = used();
    return b -> !used.contains(b.id()) && !failedAt.containsKey(b.id()) && !lostAt.containsKey(b.id());
  }

  /** The ids of the pool's backends; forgets failures and losses older than {@code maxMs} on the way. */
  private Set<String> used() {
    Set<String> used = new HashSet<>();
    open.forEach(c -> used.add(c.backend.id()));
    opening.forEach(c -> used.add(c.backend.id()));
    long now = System.currentTimeMillis();
    failedAt.values().removeIf(t -> now - t > options.getMaxMs());
    failedAt.keySet().retainAll(list.backends().keySet());
    lostAt.values().removeIf(t -> now - t > options.getMaxMs());
    lostAt.keySet().retainAll(list.backends().keySet());
    return used;
  }

  /**
   * Opens a connection; {@code moved} (or null) says why it replaces an earlier one, so the backend
   * holds it down from its next rebalance rounds (a {@code moved} query parameter).
   */
  private void connect(BackendRecord backend, Connection replaces, MoveReason moved) {
    attempts++;
    emit(attemptsTo, backend);
    Connection c = new Connection(backend, sockets.webSocket(), replaces);
    opening.add(c);
    c.socket.textMessageHandler(text -> onFrame(c, text));
    c.socket.closeHandler(v -> onClosed(c));
    c.socket.drainHandler(v -> flushQueue());
    ticket().onComplete(ticket -> inContext(() -> {
      if (c.abandoned || closed) {
        return;
      }
      if (ticket.failed()) {
        attemptFailed(c, "no ticket: " + ticket.cause(), false);
        return;
      }
      c.dialed = true;
      c.socket.connect(new WebSocketConnectOptions().setAbsoluteURI(withTicket(moved == null ? backend.url() : withQuery(backend.url(), "moved", moved.code()), ticket.result()))
              .setConnectTimeout(options.getTimeoutMs()))
          .onSuccess(ws -> {
            if (c.abandoned) {
              closeQuietly(c, (short) 1000, "abandoned");
            }
          })
          .onFailure(e -> {
            if (!c.abandoned) {
              // a refused upgrade (503 full or draining, 401 ticket, 403 origin) means the backend is
              // reachable; anything else is worth a report
              attemptFailed(c, e.toString(), !(e instanceof UpgradeRejectedException));
            }
          });
    }));
    updateState();
  }

  /** The ticket for one attempt: asked of the supplier each time; null without one. */
  private Future<String> ticket() {
    if (options.getTicket() == null) {
      return Future.succeededFuture();
    }
    try {
      Future<String> ticket = options.getTicket().get();
      return ticket == null ? Future.failedFuture(new IllegalStateException("the ticket supplier returned null")) : ticket;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** {@code url} with {@code ?ticket=} (URL-encoded) when there is a ticket. */
  static String withTicket(String url, String ticket) {
    if (ticket == null || ticket.isEmpty()) {
      return url;
    }
    return withQuery(url, "ticket", ticket);
  }

  /** Runs {@code action} on the client's context: at once when already there (a supplier may answer from anywhere). */
  private void inContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private void attemptFailed(Connection c, String why, boolean report) {
    opening.remove(c);
    c.abandoned = true;
    log.debug("cannot connect to {}: {}", c.backend.id(), why);
    failedAt.put(c.backend.id(), System.currentTimeMillis());
    if (report) {
      list.report(c.backend.id(), "connect-failed");
    }
    failuresInARow++;
    retryLater();
    updateState();
  }

  /** Gives up a connection not yet open (its backend left, or its handshake timed out). */
  private void abandon(Connection c) {
    opening.remove(c);
    c.abandoned = true;
    closeQuietly(c, (short) 1000, "abandoned");
  }

  private void retryLater() {
    if (closed || fillTimer != -1) {
      return;
    }
    long delay = Backoff.delayMs(attempt++, options.getBaseMs(), options.getMaxMs(), options.getJitter(), random);
    fillTimer = vertx.setTimer(Math.max(1, delay), id -> {
      fillTimer = -1;
      fill();
      updateState();
    });
  }

  // ---- frames ---------------------------------------------------------------------------------

  private void onFrame(Connection c, String text) {
    c.heardAt = System.currentTimeMillis();
    JsonObject m;
    try {
      m = new JsonObject(text);
    } catch (RuntimeException e) { // DecodeException, or a JSON value that is not an object
      log.warn("ignoring a malformed frame from {}", c.backend.id());
      return;
    }
    if (!(m.getValue("type") instanceof String type)) {
      log.warn("ignoring a frame without a type from {}", c.backend.id());
      return;
    }
    try {
      switch (type) {
        case "welcome" -> onWelcome(c);
        case "pong" -> onPong(c, m.getValue("id"));
        case "joined" -> onJoined(c, m.getString("room"), m.getLong("seq"));
        case "message" -> onMessage(m);
        case "ack" -> {
          Pending p = pending.remove(String.valueOf(m.getValue("id")));
          if (p != null) {
            p.acked().tryComplete(m.getLong("seq"));
          }
        }
        case "error" -> {
          onRefused(c, m);
          emit(messages, m);
        }
        case "drain" -> {
          MoveHint hint = MoveHint.of(m);
          // a random moment within half the deadline, so a drained backend causes no stampede
          vertx.setTimer(Math.max(1, (long) (random.getAsDouble() * hint.deadlineMs() / 2)), id -> moveAway(c, hint));
        }
        default -> emit(messages, m);
      }
    } catch (ClassCastException e) {
      log.warn("ignoring a frame with a mistyped field from {}: {}", c.backend.id(), e.getMessage());
    }
  }

  private void onWelcome(Connection c) {
    if (c.abandoned || !opening.contains(c)) {
      return;
    }
    c.ready = true;
    c.openedAt = System.currentTimeMillis();
    failuresInARow = 0;
    Connection old = c.replaces;
    if (old != null && open.contains(old)) {
      if (open.indexOf(old) == 0 && !rooms.isEmpty()) {
        // the primary's replacement takes over only once its rooms are joined: no gap
        c.awaitingJoins = new HashSet<>(rooms.keySet());
        rooms.keySet().forEach(room -> sendJoin(c, room));
      } else {
        swap(old, c);
      }
    } else {
      opening.remove(c);
      open.add(c);
      refillReason = null;
      emit(opens, c.backend);
      if (open.size() == 1) {
        resume(c);
      }
      afterOpen();
    }
  }

  private void onPong(Connection c, Object id) {
    if (c.pingSentAt >= 0 && id instanceof Number n && n.longValue() == c.pingId) {
      emit(rtts, new Rtt(c.backend, (System.nanoTime() - c.pingSentNanos) / 1e6));
    }
    c.pingSentAt = -1;
  }

  private void onJoined(Connection c, String room, Long seq) {
    if (room == null || seq == null || !rooms.containsKey(room)) {
      return;
    }
    rooms.merge(room, seq, (old, now) -> old == null ? now : Math.max(old, now));
    Promise<Long> p = joins.remove(room);
    if (p != null) {
      p.tryComplete(seq);
    }
    joinSettled(c, room);
  }

  /** A replacement waiting for its rooms takes over once each was joined or refused. */
  private void joinSettled(Connection c, String room) {
    if (c.awaitingJoins != null) {
      c.awaitingJoins.remove(room);
      if (c.awaitingJoins.isEmpty()) {
        c.awaitingJoins = null;
        if (c.replaces != null && open.contains(c.replaces)) {
          swap(c.replaces, c);
        }
      }
    }
  }

  /** Make-before-break: {@code next} is ready, so it takes {@code old}'s place and {@code old} closes. */
  private void swap(Connection old, Connection next) {
    int at = open.indexOf(old);
    opening.remove(next);
    open.set(at, next);
    emit(opens, next.backend);
    if (at == 0) {
      pending.forEach((id, p) -> sendPublish(next, id, p));
    }
    emit(closes, old.backend);
    closeQuietly(old, (short) 1000, "moved");
    afterOpen();
  }

  private void afterOpen() {
    firstOpen.tryComplete();
    flushQueue();
    fill();
    updateState();
  }

  /** Rejoins every room from the last seq seen and resends every unacked publish with its id. */
  private void resume(Connection c) {
    rooms.keySet().forEach(room -> sendJoin(c, room));
    pending.forEach((id, p) -> sendPublish(c, id, p));
  }

  /**
   * A {@code forbidden} error fails the publish it names (by id), or else the join of its room, which is
   * then not rejoined after a failover (a replacement connection's new ticket may allow fewer rooms).
   */
  private void onRefused(Connection c, JsonObject error) {
    if (!ErrorCode.FORBIDDEN.wire().equals(error.getValue("code")) || !(error.getValue("room") instanceof String room)) {
      return;
    }
    String message = String.valueOf(error.getValue("message"));
    Object id = error.getValue("id");
    if (id != null) {
      Pending p = pending.remove(String.valueOf(id));
      if (p != null) {
        p.acked().tryFail(new ForbiddenException(room, id, message));
      }
      return;
    }
    rooms.remove(room);
    Promise<Long> joined = joins.remove(room);
    if (joined != null) {
      joined.tryFail(new ForbiddenException(room, null, message));
    }
    joinSettled(c, room);
  }

  private void onMessage(JsonObject m) {
    String room = m.getString("room");
    Long seq = m.getLong("seq");
    if (room == null || seq == null || !rooms.containsKey(room)) {
      return;
    }
    Long last = rooms.get(room);
    if (last != null && seq <= last) {
      return; // already delivered (a replay after failover, or a second connection during a move)
    }
    rooms.put(room, seq);
    emit(messages, m);
  }

  private void onClosed(Connection c) {
    if (opening.remove(c)) {
      if (!c.abandoned) {
        attemptFailed(c, "closed before it was ready (" + c.socket.closeStatusCode() + ")", false);
      }
      return;
    }
    if (open.contains(c)) {
      // the backend closed us at its drain deadline while our move was under way: part of the move
      boolean moving = opening.stream().anyMatch(o -> o.replaces == c);
      failover(c, MoveReason.CLOSED, "connection closed (" + c.socket.closeStatusCode() + ")", moving);
    }
  }

  // ---- moves ----------------------------------------------------------------------------------

  private void moveAway(Connection from, MoveHint hint) {
    if (closed || !open.contains(from) || opening.stream().anyMatch(c -> c.replaces == from)) {
      return;
    }
    BackendRecord target = hint.preferred(list.backends(), usable());
    if (target == null) {
      target = pick(hint.targets(list.backends().values()));
    }
    if (target == null) {
      // a drain: nowhere else to go yet, the backend closes us at its deadline and we fail over then;
      // a rebalance: no under-share backend is listed, so staying is the balanced choice
      return;
    }
    emit(moves, new Move(from.backend, target, hint.reason()));
    connect(target, from, hint.reason());
  }

  /**
   * A connection failed: out of the pool at once; the next open one becomes primary; the refill goes
   * to another backend after a spread window sized so the lost backend's clients do not storm the rest.
   */
  private void failover(Connection c, MoveReason reason, String detail) {
    failover(c, reason, detail, false);
  }

  /** {@code planned}: the connection closed while its planned move was under way; no failure to report. */
  private void failover(Connection c, MoveReason reason, String detail, boolean planned) {
    int at = open.indexOf(c);
    if (at < 0) {
      return;
    }
    open.remove(at);
    refillReason = reason;
    if (!planned) {
      lostAt.put(c.backend.id(), System.currentTimeMillis()); // the list may still show it: never back while another is listed
      emit(failovers, new Failover(c.backend, reason, detail));
    }
    emit(closes, c.backend);
    closeQuietly(c, (short) 4000, detail);
    for (Connection o : List.copyOf(opening)) {
      if (o.replaces == c && o.awaitingJoins != null) {
        opening.remove(o); // a replacement mid-join just joins the pool instead
        o.awaitingJoins = null;
        open.add(o);
        emit(opens, o.backend);
      } else if (o.replaces == c) {
        o.replaces = null; // a replacement still opening is now the refill: no second one beside it
      }
    }
    if (at == 0 && !open.isEmpty()) {
      resume(open.get(0));
    }
    refillAfterLoss(c);
    updateState();
  }

  /** The first attempt after losing {@code lost}: at once, or within its spread window; backoff is for repeated failures. */
  private void refillAfterLoss(Connection c) {
    if (closed) {
      return;
    }
    BackendRecord lost = c.backend;
    BackendRecord listed = list.backends().get(lost.id());
    int displaced = Math.max(c.listedConnections, listed != null ? listed.connections() : lost.connections());
    int survivors = (int) list.backends().values().stream().filter(b -> b.choosable() && !b.id().equals(lost.id())).count();
    long delay = Backoff.spreadMs(displaced, survivors, options.getFailoverRate(), options.getMaxMs(), random);
    if (fillTimer != -1) {
      vertx.cancelTimer(fillTimer); // a pending backoff belongs to earlier failures: this loss is news
      fillTimer = -1;
    }
    if (delay < 1) {
      fill();
    } else {
      fillTimer = vertx.setTimer(delay, id -> {
        fillTimer = -1;
        fill();
        updateState();
      });
    }
  }

  // ---- heartbeat, queue, state ----------------------------------------------------------------

  private void tick() {
    long now = System.currentTimeMillis();
    for (Connection c : List.copyOf(opening)) {
      if (!c.ready && now - c.startedAt > options.getTimeoutMs()) {
        abandon(c);
        // a ticket that took too long says nothing about the backend: no report
        attemptFailed(c, (c.dialed ? "no welcome" : "no ticket") + " within " + options.getTimeoutMs() + " ms", c.dialed);
      }
    }
    for (Connection c : List.copyOf(open)) {
      if (c.pingSentAt >= 0 && now - c.pingSentAt > options.getTimeoutMs()) {
        failover(c, MoveReason.HEARTBEAT_TIMEOUT, "no pong within " + options.getTimeoutMs() + " ms");
      } else if (c.pingSentAt < 0 && now - c.heardAt >= options.getIntervalMs()) {
        c.pingSentAt = now;
        c.pingSentNanos = System.nanoTime();
        c.socket.writeTextMessage(new JsonObject().put("type", "ping").put("id", ++c.pingId).encode());
      }
      if (now - c.openedAt >= options.getIntervalMs()) {
        attempt = 0; // a connection that stayed healthy this long resets the backoff
      }
    }
  }

  private Connection primary() {
    return open.isEmpty() ? null : open.get(0);
  }

  private Connection writable() {
    int n = open.size();
    if (n == 0) {
      return null;
    }
    int start = switch (policy) {
      case STICKY -> 0;
      case RANDOM, LEAST_LOADED -> ThreadLocalRandom.current().nextInt(n);
      case ROUND_ROBIN -> (sendCounter = (sendCounter + 1) & Integer.MAX_VALUE) % n;
    };
    for (int i = 0; i < n; i++) {
      Connection c = open.get((start + i) % n);
      if (!c.socket.writeQueueFull()) {
        return c;
      }
    }
    return null;
  }

  private void flushQueue() {
    Connection c;
    while (!queue.isEmpty() && (c = writable()) != null) {
      Queued q = queue.poll();
      c.socket.writeTextMessage(q.text()).onComplete(q.written());
    }
  }

  private void updateState() {
    ClientState next;
    if (closed) {
      next = ClientState.OFFLINE;
    } else if (open.size() >= options.getConnections()) {
      next = ClientState.OPEN;
    } else if (!open.isEmpty()) {
      next = ClientState.DEGRADED;
    } else if (failuresInARow >= OFFLINE_AFTER_FAILURES
        || list.backends().values().stream().noneMatch(b -> b.state() == BackendState.UP)) {
      next = ClientState.OFFLINE;
    } else {
      next = ClientState.CONNECTING;
    }
    setState(next);
  }

  private void setState(ClientState next) {
    if (next != state) {
      state = next;
      emit(states, next);
    }
  }

  private void sendJoin(Connection c, String room) {
    JsonObject join = new JsonObject().put("type", "join").put("room", room);
    Long since = rooms.get(room);
    c.socket.writeTextMessage((since == null ? join : join.put("since", since)).encode());
  }

  private void sendPublish(Connection c, String id, Pending p) {
    c.socket.writeTextMessage(new JsonObject().put("type", "publish").put("room", p.room()).put("id", id)
        .put("data", p.data()).encode());
  }

  private static String withQuery(String url, String name, String value) {
    return url + (url.indexOf('?') < 0 ? '?' : '&') + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void closeQuietly(Connection c, short code, String reason) {
    try {
      if (!c.socket.isClosed()) {
        c.socket.close(code, reason.length() > 100 ? reason.substring(0, 100) : reason)
            .onFailure(e -> log.debug("closing {}: {}", c.backend.id(), e.toString()));
      }
    } catch (RuntimeException e) { // not connected yet: connect()'s onSuccess closes it
      log.debug("closing {} before its handshake: {}", c.backend.id(), e.toString());
    }
  }

  private <T> void emit(Consumer<T> handler, T value) {
    try {
      handler.accept(value);
    } catch (RuntimeException e) {
      log.warn("a handler threw; the client carries on", e);
    }
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }
}
