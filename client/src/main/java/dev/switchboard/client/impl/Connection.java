package dev.switchboard.client.impl;

import dev.switchboard.model.BackendRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One WebSocket to one backend: its {@link ConnectionState}, its heartbeat and what a move needs to
 * know. Single-threaded (the client's context).
 */
final class Connection {

  /** A welcome's {@code heartbeatMs} below this is ignored (the browser client's {@code HEARTBEAT_BOUNDS_MS.min}). */
  static final long MIN_PING_INTERVAL_MS = 50;
  /** A welcome's {@code heartbeatMs} above this is ignored (the browser client's {@code HEARTBEAT_BOUNDS_MS.max}). */
  static final long MAX_WELCOME_HEARTBEAT_MS = 300_000;

  final BackendRecord backend;
  final long startedAt;
  private ConnectionState state = ConnectionState.CONNECTING;
  private Transport.Socket socket;
  /** The connection this one replaces once it is ready (make-before-break), or null. */
  Connection replaces;
  /** While {@link ConnectionState#JOINING}: the rooms not yet joined or refused. */
  final Set<String> awaitingJoins = new HashSet<>();
  /** The {@code since} of each join sent on this connection (null: none), to read its {@code joined}. */
  final Map<String, Long> joinSince = new HashMap<>();
  /** Every room a join was sent for on this connection. */
  final Set<String> roomsAsked = new HashSet<>();
  /** The backend's connection count as last listed: how many clients a loss of it displaces. */
  int listedConnections;
  /** Its backend left the list as {@code unreachable}, but this connection works: kept while it answers heartbeats. */
  boolean keptUnlisted;
  /** The WebSocket handshake started (the ticket, if any, was had). */
  boolean dialed;
  long openedAt;
  long heardAt;
  private long pingIntervalMs;
  private long pingId;
  private long pingSentAt = -1;
  /** How long this client itself stood still while the ping was out (not the backend's fault). */
  private long stalledMs;

  Connection(BackendRecord backend, Connection replaces, long now, long pingIntervalMs) {
    this.backend = backend;
    this.replaces = replaces;
    this.startedAt = now;
    this.pingIntervalMs = pingIntervalMs;
  }

  ConnectionState state() {
    return state;
  }

  void state(ConnectionState next) {
    state = next;
  }

  boolean is(ConnectionState s) {
    return state == s;
  }

  /** Given up or closed: nothing it reports matters any more. */
  boolean finished() {
    return state == ConnectionState.CLOSING || state == ConnectionState.CLOSED;
  }

  void socket(Transport.Socket socket) {
    this.socket = socket;
  }

  boolean writeQueueFull() {
    return socket == null || socket.writeQueueFull();
  }

  Transport.Socket socket() {
    return socket;
  }

  Future<Void> send(JsonObject frame) {
    return sendText(frame.encode());
  }

  Future<Void> sendText(String text) {
    return socket == null ? Future.failedFuture(new IllegalStateException("no socket to " + backend.id())) : socket.write(text);
  }

  /** Closes it on purpose: its close event will be ignored. */
  void close(short code, String reason) {
    state = ConnectionState.CLOSING;
    if (socket != null) {
      socket.close(code, reason);
    }
  }

  /**
   * The ping interval, as the browser client's {@code pingInterval}: the {@code intervalMs} option
   * when the application set one ({@code explicitMs}, else null); otherwise the welcome's
   * {@code heartbeatMs} when a number within [{@value #MIN_PING_INTERVAL_MS}, {@value #MAX_WELCOME_HEARTBEAT_MS}] ms;
   * otherwise {@code defaultMs}.
   */
  static long pingInterval(Long explicitMs, Object heartbeatMs, long defaultMs) {
    if (explicitMs != null) {
      return explicitMs;
    }
    if (heartbeatMs instanceof Number n && n.doubleValue() >= MIN_PING_INTERVAL_MS && n.doubleValue() <= MAX_WELCOME_HEARTBEAT_MS) {
      return n.longValue();
    }
    return defaultMs;
  }

  void welcomed(long now, long pingIntervalMs) {
    this.pingIntervalMs = pingIntervalMs;
    this.openedAt = now;
    this.heardAt = now;
    state = ConnectionState.WELCOMED;
  }

  long pingIntervalMs() {
    return pingIntervalMs;
  }

  /** A ping went out more than {@code timeoutMs} ago, not counting the client's own stalls, and no pong came. */
  boolean pongOverdue(long now, long timeoutMs) {
    return pingSentAt >= 0 && now - pingSentAt - stalledMs > timeoutMs;
  }

  /** The client's event loop ran {@code ms} late: if a ping is out, that time does not count against the backend. */
  void stalled(long ms) {
    if (pingSentAt >= 0) {
      stalledMs += ms;
    }
  }

  /** Sends a ping when the connection was silent a whole interval and none is out. */
  void pingIfIdle(long now) {
    if (pingSentAt < 0 && now - heardAt >= pingIntervalMs) {
      pingSentAt = now;
      stalledMs = 0;
      send(new JsonObject().put("type", "ping").put("id", ++pingId));
    }
  }

  /** A pong: the round trip in ms when it answers the ping out, else a negative number. */
  double pong(Object id, long now) {
    double rtt = pingSentAt >= 0 && id instanceof Number n && n.longValue() == pingId ? now - pingSentAt : -1;
    pingSentAt = -1;
    return rtt;
  }

  long pingSentAt() {
    return pingSentAt;
  }
}
