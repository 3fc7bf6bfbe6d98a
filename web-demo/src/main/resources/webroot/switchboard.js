// Switchboard browser client: follows the backend list (BackendList), holds `connections` WebSockets to
// as many distinct backends chosen by policy, heartbeats them and replaces any that fail, with jittered
// backoff. Dependency-free ES modules; the environment (WebSocket, EventSource, fetch, timers, clock,
// random) is injected through options so tests can drive it. Types: switchboard.d.ts.
//
// This file is the facade; the parts: connection.js (one socket), pool.js (fill, pick, failover, moves),
// rooms.js (seqs, joins, publishes), send-queue.js, backend-list.js (the list), codes.js, env.js.

import { BackendList } from './backend-list.js';
import { ConnectionState, MoveReason, MoveReasonText, State } from './codes.js';
import { environment, Timers } from './env.js';
import { moveHint } from './move-hint.js';
import { Pool } from './pool.js';
import { Rooms } from './rooms.js';
import { SendQueue } from './send-queue.js';

export { backoff, spread } from './backoff.js';
export { BackendList } from './backend-list.js';
export { ClientErrorCode, ConnectionState, ErrorCode, MoveReason, MoveReasonText, State } from './codes.js';
export { ForbiddenError, RequestError } from './errors.js';

/** After this many failed attempts in a row with nothing open, the state is `offline`. */
export const OFFLINE_AFTER_FAILURES = 3;

/** A heartbeat round later than this (ms) is a stall of the client's own, not timer jitter (as the Java client). */
const STALL_MS = 100;

const DEFAULTS = Object.freeze({
  coordinators: [],
  service: 'chat',
  policy: 'round-robin',
  key: undefined,
  connections: 1,
  queueSize: 1000,
  intervalMs: 2000,
  timeoutMs: 5000,
  requestTimeoutMs: 10000,
  baseMs: 250,
  maxMs: 10000,
  jitter: 1,
  maxBufferedBytes: 1 << 20,
  failoverRate: 4000,
  ticket: undefined,
});

/**
 * A client of one Switchboard service.
 *
 * @param {object} options
 * @param {string[]} options.coordinators coordinator base URLs, e.g. ['http://127.0.0.1:8080'] (required unless `list`)
 * @param {string} [options.service='chat'] backend pool
 * @param {string} [options.policy='round-robin'] round-robin, random, least-loaded or sticky (see policies.js)
 * @param {string} [options.key] the key for `sticky` (also picks the first coordinator)
 * @param {number} [options.connections=1] pool size: connections to this many distinct backends (hot standby)
 * @param {number} [options.queueSize=1000] bound of the sends queued while none is open, and of unacked publishes
 * @param {number} [options.intervalMs] heartbeat: ping a connection idle this long. When not set, the
 *   backend's `welcome.heartbeatMs` (50 ms – 5 min), else 2000
 * @param {number} [options.timeoutMs=5000] no pong (or no welcome) within this → the connection is replaced
 * @param {number} [options.requestTimeoutMs=10000] a join or publish not answered within this rejects (code `timeout`)
 * @param {number} [options.baseMs=250] reconnect backoff base
 * @param {number} [options.maxMs=10000] reconnect backoff cap
 * @param {number} [options.jitter=1] random share of each backoff delay (1 = full jitter)
 * @param {number} [options.maxBufferedBytes=1048576] a socket with more unsent bytes is skipped by `send`
 * @param {number} [options.failoverRate=4000] arrivals per second each surviving backend should take when a
 *   backend is lost: the first attempt after a loss waits a random moment within the window this allows (0 = none)
 * @param {string|(() => string|Promise<string>)} [options.ticket] a signed ticket the backends ask for, sent as
 *   `?ticket=` (URL-encoded): a string, or a function asked again before every connection attempt (first
 *   connect, refill, failover, move) so it can fetch a fresh one; a throw or rejection fails that attempt,
 *   which is retried with backoff. None by default
 * @param {BackendList} [options.list] a list shared with other clients (not stopped by `stop`)
 * @param {typeof WebSocket} [options.WebSocket=globalThis.WebSocket]
 * @param {typeof EventSource} [options.EventSource=globalThis.EventSource]
 * @param {typeof fetch} [options.fetch=globalThis.fetch]
 * @param {() => number} [options.now=performance.now] monotonic clock in ms
 * @param {() => number} [options.random=Math.random]
 * @param {Function} [options.setTimeout=globalThis.setTimeout]
 * @param {Function} [options.clearTimeout=globalThis.clearTimeout]
 *
 * Events (EventTarget, payload in `event.detail`): `backends` (array of records), `state` ({state}),
 * `open` ({backend, session}), `close` ({backend, code, reason}), `rtt` ({backend, ms}),
 * `failover` ({from, reason, detail}: a failure, `reason` one of MoveReason's failure codes), `move`
 * ({from, to, reason, detail}: a planned move the backend asked for, `drain` or `rebalance`), `message`
 * (a room message, once each, in seq order per room, and any application frame the client does not
 * handle itself).
 *
 * Rooms and publishes use the primary connection (the oldest open one). When it fails the next open
 * one takes over at once: every room is rejoined from the last seq delivered and every unacked publish
 * is resent with its id, so nothing is lost or repeated. A `drain` moves make-before-break: the new
 * connection is open and its rooms joined before the old one closes. A join or publish the backend refuses
 * rejects with a `RequestError` (a `ForbiddenError` for `forbidden`), one not answered within
 * `requestTimeoutMs` with code `timeout`; a rejected join's room is forgotten.
 */
export class Switchboard extends EventTarget {
  constructor(options = {}) {
    super();
    const o = { ...DEFAULTS, ...options };
    if (!o.list && (!Array.isArray(o.coordinators) || o.coordinators.length === 0)) {
      throw new TypeError('Switchboard: options.coordinators must list at least one URL');
    }
    if (!(o.connections >= 1)) throw new RangeError('Switchboard: options.connections must be at least 1');
    if (options.intervalMs == null) o.intervalMs = DEFAULTS.intervalMs;
    this.options = o;
    this.explicitIntervalMs = options.intervalMs ?? null; // set: wins over the backend's heartbeatMs
    this.env = environment(o);
    this.timers = new Timers(this.env);
    this.ownsList = !o.list;
    this.list = o.list ?? new BackendList({
      coordinators: o.coordinators, service: o.service, key: o.key, random: this.env.random, now: this.env.now,
      EventSource: this.env.EventSource, fetch: this.env.fetch, setTimeout: this.env.setTimeout, clearTimeout: this.env.clearTimeout,
    });
    this.onListChange = (e) => this.onList(e.detail);
    this.state = State.OFFLINE;
    this.queue = new SendQueue(o.queueSize);
    this.rooms = new Rooms(o, this.timers, () => randomId(this.env.random), (room) => this.pool.roomSettled(room));
    this.pool = new Pool(this);
    this.sendCounter = 0;
    this.pingId = 0;
    this.stopped = true;
  }

  /** The backend list as last known. */
  get backends() {
    return this.list.backends;
  }

  /** The backend of the primary connection, or null. */
  get backend() {
    return this.pool.primary?.backend ?? null;
  }

  /** The backends of the open connections, primary first. */
  get connected() {
    return this.pool.open.map((c) => c.backend);
  }

  /** Connection attempts so far. */
  get connectAttempts() {
    return this.pool.connectAttempts;
  }

  /** Starts following the list and connecting. */
  start() {
    if (!this.stopped) return this;
    this.stopped = false;
    this.setState(State.CONNECTING);
    this.list.addEventListener('change', this.onListChange);
    this.list.start();
    const period = Math.max(50, Math.min(this.options.intervalMs, this.options.timeoutMs / 2));
    let due = this.env.now() + period;
    const tick = () => {
      const late = this.env.now() - due;
      due = this.env.now() + period;
      this.timers.later(period, tick);
      this.tick(late);
    };
    this.timers.later(period, tick);
    if (this.list.backends.size > 0) this.onList();
    return this;
  }

  /** Closes the connections (and the list, unless shared); pending joins and publishes reject, queued sends are dropped. */
  stop() {
    this.stopped = true;
    this.list.removeEventListener('change', this.onListChange);
    if (this.ownsList) this.list.stop();
    this.timers.cancelAll();
    this.pool.closeAll();
    this.rooms.stop();
    this.queue.clear();
    this.setState(State.OFFLINE);
  }

  /**
   * Sends a JSON message on an open connection (round-robin over them; random for `random` and
   * `least-loaded`; the primary for `sticky`). While none is open it waits in a queue of at most
   * `queueSize`; returns false when the queue is full and the message was not taken.
   */
  send(message) {
    const text = JSON.stringify(message);
    const conn = this.queue.size === 0 ? this.writable() : null;
    if (conn) {
      conn.socket.send(text);
      return true;
    }
    return this.queue.offer(text);
  }

  /** Joins a room; resolves with the seq the room starts after. Rejoined from the last seq after failover. */
  join(room) {
    const joined = this.rooms.join(room);
    const since = this.rooms.since(room);
    if (this.pool.primary) this.pool.primary.sendJoin(room, since);
    // a replacement of the primary, joining its rooms, must hold this one too when it takes over
    for (const c of this.pool.opening) if (c.state === ConnectionState.JOINING) c.sendJoin(room, since);
    return joined;
  }

  /** Publishes; resolves with the message's seq once stored. Resent with the same id after failover. */
  publish(room, data) {
    const { id, done } = this.rooms.publish(room, data);
    if (id != null && this.pool.primary) this.pool.primary.send(this.rooms.publishFrame(id));
    return done;
  }

  // ---- list, frames, heartbeat (the pool does the rest) ---------------------------------------------

  /** Applies a list change (`change` is the list's `change` detail; absent when the client starts on a known list). */
  onList(change) {
    if (this.stopped) return;
    this.emit('backends', [...this.list.backends.values()]);
    this.pool.onList(change);
    this.updateState();
  }

  /** A frame from `conn` (called by the pool's connections). */
  frame(conn, text) {
    conn.heardAt = this.env.now();
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (err) {
      console.warn('switchboard: ignoring malformed frame', err);
      return;
    }
    if (msg === null || typeof msg !== 'object' || typeof msg.type !== 'string') {
      console.warn('switchboard: ignoring a frame without a type');
      return;
    }
    switch (msg.type) {
      case 'welcome': this.pool.onWelcome(conn, msg); break;
      case 'joined':
        if (this.rooms.onJoined(conn, msg)) this.pool.roomSettled(msg.room, conn);
        break;
      case 'message':
        if (this.rooms.onMessage(msg)) this.emit('message', msg);
        break;
      case 'ack': this.rooms.onAck(msg); break;
      case 'pong': {
        const ms = conn.pong(msg.id, this.env.now());
        if (ms != null) this.emit('rtt', { backend: conn.backend, ms });
        break;
      }
      case 'error':
        this.rooms.onError(msg); // a refused join is settled through the rooms' `dropped`
        this.emit('message', msg);
        break;
      case 'drain': {
        // a random moment within half the deadline, so a drained backend causes no stampede
        const hint = moveHint(msg);
        this.timers.later(Math.floor(this.env.random() * hint.deadlineMs / 2), () => this.pool.moveAway(conn, hint));
        break;
      }
      default:
        this.emit('message', msg);
    }
  }

  /**
   * One heartbeat round, `late` ms after it was due. Later than STALL_MS, this client stood still (a
   * throttled background tab, a suspended laptop, a long task): that time is not counted against the
   * pings that are out, whose pongs may be waiting unread.
   */
  tick(late = 0) {
    const now = this.env.now();
    const o = this.options;
    const pool = this.pool;
    for (const c of [...pool.opening]) {
      if (c.state === ConnectionState.CONNECTING && now - c.startedAt > o.timeoutMs) {
        pool.abandon(c);
        // a ticket that took too long says nothing about the backend: no report
        pool.attemptFailed(c, `no ${c.dialed ? 'welcome' : 'ticket'} within ${o.timeoutMs} ms`, c.dialed);
      } else if (c.state === ConnectionState.JOINING && now - c.openedAt > o.requestTimeoutMs) {
        pool.takeOver(c); // rejoins unanswered for this long: the move goes ahead rather than wait for the drain deadline
      }
    }
    for (const c of [...pool.open]) {
      if (late > STALL_MS) c.stalled(late);
      if (c.heartbeat(now, o.timeoutMs, () => ++this.pingId)) {
        pool.failover(c, MoveReason.HEARTBEAT_TIMEOUT, `${MoveReasonText[MoveReason.HEARTBEAT_TIMEOUT]} (${o.timeoutMs} ms)`);
        continue;
      }
      if (now - c.openedAt >= c.intervalMs) pool.attempt = 0; // healthy this long: the backoff starts over
    }
    this.flushQueue(); // browsers have no drain event: retry what waited on a full socket buffer
  }

  // ---- queue and state ----------------------------------------------------------------------------

  /** An open connection to send on, by policy, skipping full socket buffers; null when none. */
  writable() {
    const open = this.pool.open;
    const n = open.length;
    if (n === 0) return null;
    let start;
    if (this.options.policy === 'sticky') start = 0;
    else if (this.options.policy === 'round-robin') start = (this.sendCounter = (this.sendCounter + 1) & 0x7fffffff) % n;
    else start = Math.floor(this.env.random() * n);
    for (let i = 0; i < n; i++) {
      const c = open[(start + i) % n];
      if (c.writable(this.options.maxBufferedBytes)) return c;
    }
    return null;
  }

  flushQueue() {
    this.queue.flush(() => this.writable());
  }

  /** The pool changed: queued sends may go, and the state may be another. */
  changed() {
    this.flushQueue();
    this.updateState();
  }

  updateState() {
    const open = this.pool.open.length;
    let next;
    if (this.stopped) next = State.OFFLINE;
    else if (open >= this.options.connections) next = State.OPEN;
    else if (open > 0) next = State.DEGRADED;
    else if (this.pool.failuresInARow >= OFFLINE_AFTER_FAILURES
      || ![...this.list.backends.values()].some((b) => b.state === 'UP')) next = State.OFFLINE;
    else next = State.CONNECTING;
    this.setState(next);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', { state });
  }

  emit(type, detail) {
    try {
      this.dispatchEvent(new CustomEvent(type, { detail }));
    } catch (err) {
      console.warn(`switchboard: a '${type}' listener threw; the client carries on`, err);
    }
  }
}

function randomId(random) {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return Array.from({ length: 4 }, () => Math.floor(random() * 0x100000000).toString(16).padStart(8, '0')).join('-');
}
