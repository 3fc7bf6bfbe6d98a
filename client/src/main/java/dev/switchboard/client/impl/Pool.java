package dev.switchboard.client.impl;

import dev.switchboard.client.Backoff;
import dev.switchboard.client.ClientState;
import dev.switchboard.client.Failover;
import dev.switchboard.client.Move;
import dev.switchboard.client.MoveHint;
import dev.switchboard.client.MoveReason;
import dev.switchboard.client.SwitchboardClientOptions;
import dev.switchboard.client.policy.Policy;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.WsMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * The pool: {@code connections} connections to distinct backends, filled and refilled from the list,
 * the oldest open one the primary (rooms and publishes). A failed connection leaves at once and is
 * replaced after a spread window ({@link Backoff#spreadMs}); a {@code drain} moves a connection
 * make-before-break; repeated failures back off. Single-threaded: every method runs on the client's
 * context ({@code context}), except the volatile reads {@link #state()}, {@link #backends()},
 * {@link #connectAttempts()}.
 */
public final class Pool {

  private static final Logger log = LoggerFactory.getLogger(Pool.class);
  /** After this many failed attempts in a row with nothing open, the state is {@link ClientState#OFFLINE}. */
  public static final int OFFLINE_AFTER_FAILURES = 3;

  final SwitchboardClientOptions options;
  final Clock clock;
  private final Transport transport;
  final ListFeed list;
  private final DoubleSupplier random;
  final Listeners on;
  private final Policy policy;
  final BackendChooser chooser;
  final Rooms rooms;
  final SendQueue queue;
  private final Heartbeat heartbeat;
  private final Dialer dialer;
  /** Ready connections; index 0 is the primary. Copy-on-write: read by other threads. */
  final List<Connection> open = new CopyOnWriteArrayList<>();
  /** Connections connecting, or (a replacement of the primary) joining its rooms. */
  final List<Connection> opening = new ArrayList<>();
  private final Promise<Void> firstOpen = Promise.promise();
  /** Why the pool lost a connection, until a refill opens: the refill says so to its backend. */
  private MoveReason refillReason;
  private volatile ClientState state = ClientState.CONNECTING;
  private volatile long attempts;
  private int failuresInARow;
  private boolean closed;
  final RefillTimer refill;
  private final SendPicker sends;

  public Pool(SwitchboardClientOptions options, Clock clock, Transport transport, ListFeed list,
              DoubleSupplier random, java.util.concurrent.Executor context, Listeners on) {
    this.options = new SwitchboardClientOptions(options);
    this.clock = clock;
    this.transport = transport;
    this.list = list;
    this.random = random;
    this.on = on;
    this.policy = Policy.of(options.getPolicy());
    this.chooser = new BackendChooser(policy, options.getKey(), options.getMaxMs(), random);
    this.rooms = new Rooms(clock, options.getRequestTimeoutMs(), options.getQueueSize(), this::primary, this::roomSettled);
    this.queue = new SendQueue(options.getQueueSize());
    this.heartbeat = new Heartbeat(this);
    this.dialer = new Dialer(this, transport, context);
    this.sends = new SendPicker(policy, random);
    this.refill = new RefillTimer(clock, () -> {
      fill();
      updateState();
    }, options.getBaseMs(), options.getMaxMs(), options.getJitter(), random);
  }

  /** Follows the list and connects; completes once the first connection is open. */
  public Future<Void> start() {
    ListChanges changes = new ListChanges(this);
    list.handler(changes::apply);
    heartbeat.start();
    return list.open().compose(v -> firstOpen.future());
  }

  public Future<Long> join(String room) {
    return closed ? Future.failedFuture(closedError()) : rooms.join(room);
  }

  public Future<Long> publish(String room, Object data) {
    return closed ? Future.failedFuture(closedError()) : rooms.publish(room, data);
  }

  public Future<Void> send(String text) {
    return closed ? Future.failedFuture(closedError()) : queue.send(text, this::writable);
  }

  private static IllegalStateException closedError() {
    return new IllegalStateException("client closed");
  }

  public ClientState state() {
    return state;
  }

  public long connectAttempts() {
    return attempts;
  }

  /** The backends of the open connections, primary first (any thread). */
  public List<BackendRecord> backends() {
    return List.copyOf(open).stream().map(c -> c.backend).toList();
  }

  /** Closes every connection and the list; joins, publishes and queued sends fail. */
  public Future<Void> close() {
    closed = true;
    heartbeat.stop();
    refill.cancel();
    List<Connection> all = new ArrayList<>(open);
    all.addAll(opening);
    open.clear();
    opening.clear();
    all.forEach(c -> c.close((short) 1000, "client closed"));
    IllegalStateException e = new IllegalStateException("client closed");
    rooms.failAll(e);
    queue.failAll(e);
    firstOpen.tryFail(e);
    setState(ClientState.OFFLINE);
    return list.close().eventually(transport::close);
  }

  boolean closed() {
    return closed;
  }

  double random() {
    return random.getAsDouble();
  }

  // ---- list and filling ----------------------------------------------------------------------

  /** Opens connections to distinct backends until the pool is full or no other UP backend is left. */
  void fill() {
    if (closed) {
      return;
    }
    int wanted = options.getConnections() - open.size() - (int) opening.stream().filter(c -> c.replaces == null).count();
    for (int i = 0; i < wanted; i++) {
      BackendRecord target = chooser.pick(used(), b -> true, clock.now());
      if (target == null) {
        break;
      }
      connect(target, null, refillReason);
    }
  }

  private Set<String> used() {
    Set<String> used = new HashSet<>();
    open.forEach(c -> used.add(c.backend.id()));
    opening.forEach(c -> used.add(c.backend.id()));
    return used;
  }

  /**
   * Opens a connection; {@code moved} (or null) says why it replaces an earlier one, so the backend
   * holds it down from its next rebalance rounds (a {@code moved} query parameter).
   */
  private void connect(BackendRecord backend, Connection replaces, MoveReason moved) {
    attempts++;
    Listeners.emit(on.attempts, backend);
    Connection c = new Connection(backend, replaces, clock.now(), options.getIntervalMs());
    opening.add(c);
    dialer.dial(c, moved);
    updateState();
  }

  void attemptFailed(Connection c, String why, boolean report) {
    opening.remove(c);
    c.close((short) 1000, "abandoned");
    log.debug("cannot connect to {}: {}", c.backend.id(), why);
    chooser.failed(c.backend.id(), clock.now());
    if (report) {
      list.report(c.backend.id(), "connect-failed");
    }
    failuresInARow++;
    if (!closed) {
      refill.backoff();
    }
    updateState();
  }

  // ---- opening, swapping, moving ------------------------------------------------------------

  void onWelcome(Connection c, Object heartbeatMs) {
    if (!c.is(ConnectionState.CONNECTING) || !opening.contains(c)) {
      return;
    }
    c.welcomed(clock.now(), Connection.pingInterval(options.isIntervalMsSet() ? options.getIntervalMs() : null, heartbeatMs,
        options.getIntervalMs()));
    heartbeat.welcomed(c.pingIntervalMs());
    failuresInARow = 0;
    Connection old = c.replaces;
    if (old != null && open.contains(old)) {
      if (open.indexOf(old) == 0 && !rooms.isEmpty()) {
        // the primary's replacement takes over only once its rooms are joined: no gap
        c.state(ConnectionState.JOINING);
        c.awaitingJoins.addAll(rooms.names());
        rooms.names().forEach(room -> rooms.sendJoin(c, room));
      } else {
        swap(old, c);
      }
    } else {
      join(c);
    }
  }

  /** {@code c} joins the pool as a connection of its own (not replacing one). */
  private void join(Connection c) {
    opening.remove(c);
    c.state(ConnectionState.READY);
    open.add(c);
    refillReason = null;
    Listeners.emit(on.opens, c.backend);
    if (open.size() == 1) {
      rooms.resume(c);
    }
    afterOpen();
  }

  /** A room's join on {@code c} (null: on any connection) was answered or given up. */
  private void roomSettled(Connection c, String room) {
    for (Connection o : List.copyOf(opening)) {
      if ((c == null || o == c) && o.is(ConnectionState.JOINING) && o.awaitingJoins.remove(room) && o.awaitingJoins.isEmpty()) {
        joined(o);
      }
    }
  }

  /** A replacement has every room: it takes over (or, if what it replaced is gone, joins the pool). */
  void joined(Connection c) {
    c.awaitingJoins.clear();
    if (c.replaces != null && open.contains(c.replaces)) {
      swap(c.replaces, c);
    } else {
      join(c);
    }
  }

  /** Make-before-break: {@code next} is ready, so it takes {@code old}'s place and {@code old} closes. */
  private void swap(Connection old, Connection next) {
    int at = open.indexOf(old);
    opening.remove(next);
    next.state(ConnectionState.READY);
    open.set(at, next);
    Listeners.emit(on.opens, next.backend);
    if (at == 0) {
      rooms.takeOver(next);
    }
    Listeners.emit(on.closes, old.backend);
    old.close((short) 1000, "moved");
    afterOpen();
  }

  private void afterOpen() {
    firstOpen.tryComplete();
    queue.flush(this::writable);
    fill();
    updateState();
  }

  void moveAway(Connection from, MoveHint hint) {
    if (closed || !open.contains(from) || opening.stream().anyMatch(c -> c.replaces == from)) {
      return;
    }
    BackendRecord target = chooser.moveTarget(hint, list.backends(), used(), clock.now());
    if (target == null) {
      // a drain: nowhere else to go yet, the backend closes us at its deadline and we fail over then;
      // a rebalance: every backend we could go to holds one of our connections already, or none under its
      // share is listed: staying is the balanced choice, and `stay` asks the backend not to close us
      if (hint.reason() == MoveReason.REBALANCE) {
        from.send(new WsMessage.Stay().toJson());
      }
      return;
    }
    Listeners.emit(on.moves, new Move(from.backend, target, hint.reason()));
    connect(target, from, hint.reason());
  }

  void onClosed(Connection c, Short code) {
    boolean mine = c.finished();
    c.state(ConnectionState.CLOSED);
    if (opening.remove(c)) {
      if (!mine) {
        attemptFailed(c, "closed before it was ready (" + code + ")", false);
      }
      return;
    }
    if (open.contains(c)) {
      // the backend closed us at its drain deadline while our move was under way: part of the move
      boolean moving = opening.stream().anyMatch(o -> o.replaces == c);
      failover(c, MoveReason.CLOSED, "connection closed (" + code + ")", moving);
    }
  }

  /**
   * A connection failed: out of the pool at once; the next open one becomes primary; the refill goes
   * to another backend after a spread window sized so the lost backend's clients do not storm the rest.
   * {@code planned}: it closed while its planned move was under way, no failure to report.
   */
  void failover(Connection c, MoveReason reason, String detail, boolean planned) {
    int at = open.indexOf(c);
    if (at < 0) {
      return;
    }
    open.remove(at);
    refillReason = reason;
    if (!planned) {
      chooser.lost(c.backend.id(), clock.now()); // the list may still show it: never back while another is listed
      Listeners.emit(on.failovers, new Failover(c.backend, reason, detail));
    }
    Listeners.emit(on.closes, c.backend);
    c.close((short) 4000, detail);
    for (Connection o : List.copyOf(opening)) {
      if (o.replaces == c && o.is(ConnectionState.JOINING)) {
        opening.remove(o); // a replacement mid-join just joins the pool instead
        o.awaitingJoins.clear();
        o.state(ConnectionState.READY);
        open.add(o);
        Listeners.emit(on.opens, o.backend);
      } else if (o.replaces == c) {
        o.replaces = null; // a replacement still opening is now the refill: no second one beside it
      }
    }
    if (at == 0 && !open.isEmpty()) {
      rooms.resume(open.get(0));
    }
    refillAfterLoss(c);
    updateState();
  }

  /** The first attempt after losing {@code c}: at once, or within its spread window; backoff is for repeated failures. */
  private void refillAfterLoss(Connection c) {
    if (closed) {
      return;
    }
    BackendRecord lost = c.backend;
    BackendRecord listed = list.backends().get(lost.id());
    int displaced = Math.max(c.listedConnections, listed != null ? listed.connections() : lost.connections());
    long delay = Backoff.spreadMs(displaced, chooser.survivors(lost.id()), options.getFailoverRate(), options.getMaxMs(), random);
    refill.after(delay); // a pending backoff belongs to earlier failures: this loss is news
  }

  // ---- sending and state ---------------------------------------------------------------------

  Connection primary() {
    return open.isEmpty() ? null : open.get(0);
  }

  /** An open connection whose write queue has room, by policy; null if none. */
  Connection writable() {
    return sends.pick(open);
  }

  void updateState() {
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
      Listeners.emit(on.states, next);
    }
  }
}
