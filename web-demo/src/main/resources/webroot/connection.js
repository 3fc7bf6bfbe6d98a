// One WebSocket to one backend: its state (ConnectionState: connecting → welcomed → joining → ready →
// closing), its heartbeat and the `since` of each join sent on it. The pool decides what it is for.

import { ConnectionState } from './codes.js';

/** Bounds of a backend's `welcome.heartbeatMs` the client accepts; outside them the fallback applies. */
export const HEARTBEAT_BOUNDS_MS = Object.freeze({ min: 50, max: 300000 });

/**
 * The ping interval of a connection: the `intervalMs` option when the page set one; otherwise the
 * backend's `welcome.heartbeatMs` (within HEARTBEAT_BOUNDS_MS); otherwise the default `intervalMs`.
 */
export function pingInterval(explicitMs, heartbeatMs, defaultMs) {
  if (explicitMs != null) return explicitMs;
  const ok = Number.isFinite(heartbeatMs) && heartbeatMs >= HEARTBEAT_BOUNDS_MS.min && heartbeatMs <= HEARTBEAT_BOUNDS_MS.max;
  return ok ? heartbeatMs : defaultMs;
}

export class Connection {
  /**
   * @param {object} backend the list record
   * @param {object|null} replaces the connection this one is to take the place of (a move), or null
   * @param {string|null} moved why it replaces one, sent as `?moved=`
   * @param {number} now when the attempt started
   */
  constructor(backend, replaces, moved, now) {
    this.backend = backend;
    this.replaces = replaces;
    this.moved = moved;
    this.state = ConnectionState.CONNECTING;
    this.socket = null;
    this.startedAt = now;
    this.openedAt = 0;
    this.heardAt = 0;
    this.socketOpen = false;
    this.dialed = false;
    this.session = undefined;
    this.intervalMs = null; // set by the welcome
    this.awaitingJoins = null; // a replacement of the primary: the rooms it waits for
    this.sinceSent = new Map(); // room -> the `since` of the last join sent here (null: none)
    this.pings = new Map(); // ping id -> when sent
    this.stalledMs = 0; // how long the client stood still while a ping was out
    this.listedConnections = undefined; // how many clients a loss of its backend displaces
    this.keptUnlisted = false; // removed as unreachable while this connection works: kept
  }

  /** True once the backend's `welcome` arrived (and not given up). */
  get welcomed() {
    return this.state !== ConnectionState.CONNECTING && this.state !== ConnectionState.CLOSING;
  }

  get closing() {
    return this.state === ConnectionState.CLOSING;
  }

  /** Takes `socket` and routes its events to `handlers` ({frame, closed}). */
  attach(socket, handlers) {
    this.socket = socket;
    this.dialed = true;
    socket.onopen = () => { this.socketOpen = true; };
    socket.onmessage = (e) => handlers.frame(this, e.data);
    socket.onclose = (e) => handlers.closed(this, e);
  }

  /** The welcome arrived: records the session and the ping interval (see pingInterval). */
  welcome(frame, now, explicitIntervalMs, defaultIntervalMs) {
    this.state = ConnectionState.WELCOMED;
    this.openedAt = now;
    this.session = frame.session;
    this.intervalMs = pingInterval(explicitIntervalMs, frame.heartbeatMs, defaultIntervalMs);
  }

  setState(state) {
    if (!this.closing) this.state = state;
  }

  send(frame) {
    this.socket.send(JSON.stringify(frame));
  }

  /** Sends a join for `room` from `since` (null: from the room's end) and remembers the since. */
  sendJoin(room, since) {
    this.sinceSent.set(room, since);
    this.send(since == null ? { type: 'join', room } : { type: 'join', room, since });
  }

  /** Open, and with no more than `maxBuffered` bytes waiting. */
  writable(maxBuffered) {
    return this.socket?.readyState === 1 && this.socket.bufferedAmount <= maxBuffered;
  }

  /**
   * One heartbeat step at `now`: true when a ping went unanswered for `timeoutMs` (the connection is
   * dead); otherwise sends a ping, id from `nextId()`, when idle for its interval and none is out.
   */
  heartbeat(now, timeoutMs, nextId) {
    const oldest = this.pings.size > 0 ? Math.min(...this.pings.values()) : null;
    if (oldest !== null) return now - oldest - this.stalledMs > timeoutMs;
    if (now - this.heardAt >= this.intervalMs) {
      const id = nextId();
      this.stalledMs = 0;
      this.pings.set(id, now);
      this.send({ type: 'ping', id });
    }
    return false;
  }

  /** The client stood still `ms` (its heartbeat ran late): while a ping is out, that time is not the backend's. */
  stalled(ms) {
    if (this.pings.size > 0) this.stalledMs += ms;
  }

  /** A pong: the round trip in ms, or null for an id not sent here. */
  pong(id, now) {
    if (!this.pings.has(id)) return null;
    const sentAt = this.pings.get(id);
    this.pings.clear();
    return now - sentAt;
  }

  /** Closes the socket (if any) and ignores it from now on. */
  close(code, reason) {
    this.state = ConnectionState.CLOSING;
    try {
      this.socket?.close(code, String(reason).slice(0, 100));
    } catch (err) {
      // already closing: nothing to do
    }
  }
}
