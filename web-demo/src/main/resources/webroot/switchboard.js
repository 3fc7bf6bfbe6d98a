// Switchboard browser client: follows the backend list (BackendList), holds `connections` WebSockets to
// as many distinct backends chosen by policy, heartbeats them and replaces any that fail, with jittered
// backoff. Dependency-free ES module; the environment (WebSocket, EventSource, fetch, timers, clock,
// random) is injected through options so tests can drive it. Types: switchboard.d.ts.

import { backoff, spread } from './backoff.js';
import { BackendList } from './backend-list.js';
import { ErrorCode, MoveReason, RemoveReason } from './codes.js';
import { moveHint, moveTargets, preferredTarget } from './move-hint.js';
import { createSelector } from './policies.js';

export { backoff, spread } from './backoff.js';
export { BackendList } from './backend-list.js';
export { ErrorCode, MoveReason } from './codes.js';

/** Pool states, emitted through the `state` event. */
export const State = Object.freeze({
  /** no connection open yet; trying */
  CONNECTING: 'connecting',
  /** every connection the pool asks for is open */
  OPEN: 'open',
  /** some connections open, fewer than asked for */
  DEGRADED: 'degraded',
  /** nothing open and nothing in sight (no usable backend, repeated failures, or stopped); retries go on */
  OFFLINE: 'offline',
});

/** After this many failed attempts in a row with nothing open, the state is `offline`. */
export const OFFLINE_AFTER_FAILURES = 3;

const DEFAULTS = Object.freeze({
  coordinators: [],
  service: 'chat',
  policy: 'round-robin',
  key: undefined,
  connections: 1,
  queueSize: 1000,
  intervalMs: 2000,
  timeoutMs: 5000,
  baseMs: 250,
  maxMs: 10000,
  jitter: 1,
  maxBufferedBytes: 1 << 20,
  failoverRate: 4000,
  ticket: undefined,
});

/** A join or publish the backend refused (`error` code `forbidden`): the ticket or the authorizer does not allow it. */
export class ForbiddenError extends Error {
  constructor(message, room, id) {
    super(message);
    this.name = 'ForbiddenError';
    this.code = ErrorCode.FORBIDDEN;
    this.room = room;
    this.id = id;
  }
}

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
 * @param {number} [options.intervalMs=2000] heartbeat: ping a connection idle this long
 * @param {number} [options.timeoutMs=5000] no pong (or no welcome) within this → the connection is replaced
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
 * ({from, to, reason}: a planned move the backend asked for, `drain` or `rebalance`), `message` (a room
 * message, once each, in seq order per room, and any application frame the client does not handle itself).
 *
 * Rooms and publishes use the primary connection (the oldest open one). When it fails the next open
 * one takes over at once: every room is rejoined from the last seq delivered and every unacked publish
 * is resent with its id, so nothing is lost or repeated. A `drain` moves make-before-break: the new
 * connection is open and its rooms joined before the old one closes. A join or publish the backend refuses
 * rejects with a `ForbiddenError` (the room is then not rejoined).
 */
export class Switchboard extends EventTarget {
  constructor(options = {}) {
    super();
    const o = { ...DEFAULTS, ...options };
    if (!o.list && (!Array.isArray(o.coordinators) || o.coordinators.length === 0)) {
      throw new TypeError('Switchboard: options.coordinators must list at least one URL');
    }
    if (!(o.connections >= 1)) throw new RangeError('Switchboard: options.connections must be at least 1');
    this.options = o;
    this.env = {
      WebSocket: o.WebSocket ?? globalThis.WebSocket,
      now: o.now ?? (() => performance.now()),
      random: o.random ?? Math.random,
      setTimeout: o.setTimeout ?? globalThis.setTimeout.bind(globalThis),
      clearTimeout: o.clearTimeout ?? globalThis.clearTimeout.bind(globalThis),
    };
    this.ownsList = !o.list;
    this.list = o.list ?? new BackendList({
      coordinators: o.coordinators, service: o.service, key: o.key, random: this.env.random,
      EventSource: o.EventSource, fetch: o.fetch, setTimeout: this.env.setTimeout, clearTimeout: this.env.clearTimeout,
    });
    this.onListChange = (e) => this.onList(e.detail);
    this.state = State.OFFLINE;
    this.open = []; // ready connections; [0] is the primary
    this.opening = []; // waiting for a welcome (or, replacing the primary, for their rooms)
    this.queue = []; // sends waiting for an open connection
    this.rooms = new Map(); // room -> last seq delivered (null until joined)
    this.joins = new Map(); // room -> [{resolve, reject}]
    this.publishes = new Map(); // id -> {room, data, resolve, reject}
    this.failedAt = new Map(); // backend id -> when an attempt on it last failed
    this.lostAt = new Map(); // backend id -> when an established connection to it was lost
    this.refillReason = null; // why the pool lost a connection, until a refill opens
    this.selector = createSelector(o.policy, [], this.env.random); // one per list snapshot: round-robin rotates
    this.knownIds = new Set();
    this.attempt = 0;
    this.failuresInARow = 0;
    this.connectAttempts = 0;
    this.sendCounter = 0;
    this.pingId = 0;
    this.retryTimer = null;
    this.tickTimer = null;
    this.timers = new Set();
    this.stopped = true;
  }

  /** The backend list as last known. */
  get backends() {
    return this.list.backends;
  }

  /** The backend of the primary connection, or null. */
  get backend() {
    return this.open[0]?.backend ?? null;
  }

  /** The backends of the open connections, primary first. */
  get connected() {
    return this.open.map((c) => c.backend);
  }

  /** Starts following the list and connecting. */
  start() {
    if (!this.stopped) return this;
    this.stopped = false;
    this.setState(State.CONNECTING);
    this.list.addEventListener('change', this.onListChange);
    this.list.start();
    const period = Math.max(50, Math.min(this.options.intervalMs, this.options.timeoutMs / 2));
    const tick = () => { this.tickTimer = this.later(period, tick); this.tick(); };
    this.tickTimer = this.later(period, tick);
    if (this.list.backends.size > 0) this.onList();
    return this;
  }

  /** Closes the connections (and the list, unless shared); pending joins and publishes reject, queued sends are dropped. */
  stop() {
    this.stopped = true;
    this.list.removeEventListener('change', this.onListChange);
    if (this.ownsList) this.list.stop();
    for (const t of this.timers) this.env.clearTimeout(t);
    this.timers.clear();
    this.retryTimer = null; // cleared above: a later start() must be free to refill
    this.tickTimer = null;
    for (const c of [...this.open, ...this.opening]) closeQuietly(c, 1000, 'client stopped');
    this.open = [];
    this.opening = [];
    const stopped = new Error('Switchboard: client stopped');
    for (const p of this.publishes.values()) p.reject(stopped);
    this.publishes.clear();
    for (const waiting of this.joins.values()) for (const { reject } of waiting) reject(stopped);
    this.joins.clear();
    this.queue = [];
    this.setState(State.OFFLINE);
  }

  /**
   * Sends a JSON message on an open connection (round-robin over them; random for `random` and
   * `least-loaded`; the primary for `sticky`). While none is open it waits in a queue of at most
   * `queueSize`; returns false when the queue is full and the message was not taken.
   */
  send(message) {
    const text = JSON.stringify(message);
    const conn = this.queue.length === 0 ? this.writable() : null;
    if (conn) {
      conn.socket.send(text);
      return true;
    }
    if (this.queue.length >= this.options.queueSize) return false;
    this.queue.push(text);
    return true;
  }

  /** Joins a room; resolves with the seq the room starts after. Rejoined from the last seq after failover. */
  join(room) {
    if (!this.rooms.has(room)) this.rooms.set(room, null);
    const joined = new Promise((resolve, reject) => {
      this.joins.set(room, [...(this.joins.get(room) ?? []), { resolve, reject }]);
    });
    if (this.open[0]) this.sendJoin(this.open[0], room);
    return joined;
  }

  /** Publishes; resolves with the message's seq once stored. Resent with the same id after failover. */
  publish(room, data) {
    if (this.publishes.size >= this.options.queueSize) {
      return Promise.reject(new Error(`Switchboard: ${this.publishes.size} publishes unacked (queueSize)`));
    }
    const id = randomId(this.env.random);
    return new Promise((resolve, reject) => {
      this.publishes.set(id, { room, data, resolve, reject });
      if (this.open[0]) this.sendPublish(this.open[0], id);
    });
  }

  // ---- list and pool ------------------------------------------------------------------------

  /** Applies a list change (`change` is the list's `change` detail; absent when the client starts on a known list). */
  onList(change) {
    if (this.stopped) return;
    const backends = this.list.backends;
    this.selector = createSelector(this.options.policy, [...backends.values()], this.env.random);
    this.emit('backends', [...backends.values()]);
    let newcomer = false;
    for (const b of backends.values()) {
      if (b.state === 'UP' && !this.knownIds.has(b.id)) {
        this.knownIds.add(b.id);
        newcomer = true;
      }
    }
    for (const id of this.knownIds) if (!backends.has(id)) this.knownIds.delete(id);
    for (const c of [...this.opening]) if (!backends.has(c.backend.id)) this.abandon(c);
    // removal forces a failover at once; a DRAINING backend sends `drain` and we move make-before-break
    for (const c of [...this.open]) {
      const listed = backends.get(c.backend.id);
      const removed = change?.removed?.id === c.backend.id ? change.removed : null;
      if (listed) {
        c.listedConnections = listed.connections; // how many a loss of it displaces
        c.keptUnlisted = false;
      } else if (removed?.reason === RemoveReason.UNREACHABLE) {
        // others could not reach it, but this connection works: keep it (heartbeats judge it), choose it for nothing new
        c.keptUnlisted = true;
      } else if (!c.keptUnlisted || removed) {
        this.failover(c, MoveReason.REMOVED, 'backend left the list');
      }
    }
    if (newcomer && this.retryTimer) {
      this.clearLater(this.retryTimer); // a new backend is new hope: try it now rather than after the backoff
      this.retryTimer = null;
    }
    if (!this.retryTimer) this.fill();
    this.updateState();
  }

  /** Opens connections to distinct backends until the pool is full or no other UP backend is left. */
  fill() {
    if (this.stopped) return;
    const wanted = this.options.connections - this.open.length - this.opening.filter((c) => !c.replaces).length;
    for (let i = 0; i < wanted; i++) {
      const target = this.pickUnused(() => true);
      if (!target) break;
      this.connect(target, null, this.refillReason);
    }
  }

  /**
   * The policy's pick among `allowed` backends not in the pool: first among those that did not fail
   * lately, then among any but a backend whose established connection was just lost; that one only
   * when no other backend is listed.
   */
  pickUnused(allowed) {
    const used = this.used();
    const unused = (b) => !used.has(b.id) && allowed(b);
    const notLost = (b) => unused(b) && !this.lostAt.has(b.id);
    const key = this.options.key;
    const pick = this.selector.pick(key, (b) => notLost(b) && !this.failedAt.has(b.id))
      ?? this.selector.pick(key, notLost);
    if (pick) return pick;
    // nothing else is listed: the lost backend is all there is
    const others = [...this.list.backends.values()].some((b) => b.state === 'UP' && !b.suspect && !this.lostAt.has(b.id));
    return others ? null : this.selector.pick(key, unused);
  }

  /** The ids of the pool's backends; forgets failures and losses older than `maxMs` on the way. */
  used() {
    const now = this.env.now();
    for (const recent of [this.failedAt, this.lostAt]) {
      for (const [id, t] of recent) {
        if (now - t > this.options.maxMs || !this.list.backends.has(id)) recent.delete(id);
      }
    }
    return new Set([...this.open, ...this.opening].map((c) => c.backend.id));
  }

  /** Not in the pool, and neither failed nor lost lately: where a planned move may go first. */
  usable() {
    const used = this.used();
    return (b) => !used.has(b.id) && !this.failedAt.has(b.id) && !this.lostAt.has(b.id);
  }

  /** Opens a connection; `moved` (or null) says why it replaces an earlier one (the backend holds it down from rebalance). */
  connect(backend, replaces, moved = null) {
    this.connectAttempts++;
    const conn = {
      backend, socket: null, replaces, moved, startedAt: this.env.now(), heardAt: 0, ready: false, socketOpen: false,
      dialed: false, abandoned: false, awaitingJoins: null, pings: new Map(),
    };
    this.opening.push(conn);
    let ticket;
    try {
      ticket = typeof this.options.ticket === 'function' ? this.options.ticket() : this.options.ticket;
    } catch (err) {
      this.attemptFailed(conn, `no ticket: ${err}`, false);
      return;
    }
    if (ticket && typeof ticket.then === 'function') {
      ticket.then((t) => this.dial(conn, t), (err) => {
        if (!conn.abandoned && this.opening.includes(conn)) this.attemptFailed(conn, `no ticket: ${err}`, false);
      });
    } else {
      this.dial(conn, ticket);
    }
    this.updateState();
  }

  /** Opens the WebSocket of `conn` with `ticket`, unless the attempt was given up meanwhile. */
  dial(conn, ticket) {
    if (conn.abandoned || this.stopped || !this.opening.includes(conn)) return;
    let socket;
    try {
      const url = conn.moved ? withQuery(conn.backend.url, 'moved', conn.moved) : conn.backend.url;
      socket = new this.env.WebSocket(withTicket(url, ticket));
    } catch (err) {
      // a URL the browser refuses outright: a failed attempt like any other
      this.attemptFailed(conn, String(err), false);
      return;
    }
    conn.socket = socket;
    conn.dialed = true;
    socket.onopen = () => { conn.socketOpen = true; };
    socket.onmessage = (e) => this.onFrame(conn, e.data);
    socket.onclose = (e) => this.onClosed(conn, e);
  }

  attemptFailed(conn, why, report) {
    remove(this.opening, conn);
    conn.abandoned = true;
    this.failedAt.set(conn.backend.id, this.env.now());
    const b = conn.backend;
    // a full backend refuses us too, but it is reachable: only report one that is not full
    if (report && !(b.connections >= b.capacity)) this.list.report(b.id, 'connect-failed');
    console.debug(`switchboard: cannot connect to ${b.id}: ${why}`);
    this.failuresInARow++;
    this.retryLater();
    this.updateState();
  }

  /**
   * Reports `b` only if it does not answer plain HTTP either: an opaque no-cors response means it is up
   * and refused the upgrade (a bad ticket or origin must not get a healthy backend quarantined).
   */
  reportIfUnreachable(b) {
    if (b.connections >= b.capacity) return; // full: it refused us, but it is reachable
    const fetch = this.options.fetch ?? globalThis.fetch?.bind(globalThis);
    if (!fetch) {
      this.list.report(b.id, 'connect-failed');
      return;
    }
    fetch(b.url.replace(/^ws/, 'http'), { mode: 'no-cors', cache: 'no-store' })
      .then(() => {}, () => this.list.report(b.id, 'connect-failed'));
  }

  abandon(conn) {
    remove(this.opening, conn);
    conn.abandoned = true;
    closeQuietly(conn, 1000, 'abandoned');
  }

  retryLater() {
    if (this.stopped || this.retryTimer) return;
    const o = this.options;
    const delay = backoff(this.attempt++, o.baseMs, o.maxMs, this.env.random, o.jitter);
    this.retryTimer = this.later(Math.max(1, delay), () => {
      this.retryTimer = null;
      this.fill();
      this.updateState();
    });
  }

  // ---- frames -------------------------------------------------------------------------------

  onFrame(conn, text) {
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
      case 'welcome': this.onWelcome(conn, msg); break;
      case 'joined': this.onJoined(conn, msg); break;
      case 'message': this.onMessage(msg); break;
      case 'ack': {
        const p = this.publishes.get(msg.id);
        if (p) {
          this.publishes.delete(msg.id);
          p.resolve(msg.seq);
        }
        break;
      }
      case 'pong':
        if (conn.pings.has(msg.id)) {
          const sentAt = conn.pings.get(msg.id);
          conn.pings.clear();
          this.emit('rtt', { backend: conn.backend, ms: this.env.now() - sentAt });
        }
        break;
      case 'error':
        this.onRefused(conn, msg);
        this.emit('message', msg);
        break;
      case 'drain': {
        // a random moment within half the deadline, so a drained backend causes no stampede
        const hint = moveHint(msg);
        this.later(Math.floor(this.env.random() * hint.deadlineMs / 2), () => this.moveAway(conn, hint));
        break;
      }
      default:
        this.emit('message', msg);
    }
  }

  onWelcome(conn, msg) {
    if (conn.abandoned || !this.opening.includes(conn)) return;
    conn.ready = true;
    conn.openedAt = this.env.now();
    conn.session = msg.session;
    this.failuresInARow = 0;
    const old = conn.replaces;
    if (old && this.open.includes(old)) {
      if (this.open[0] === old && this.rooms.size > 0) {
        // the primary's replacement takes over only once its rooms are joined: no gap
        conn.awaitingJoins = new Set(this.rooms.keys());
        for (const room of this.rooms.keys()) this.sendJoin(conn, room);
      } else {
        this.swap(old, conn);
      }
      return;
    }
    remove(this.opening, conn);
    this.open.push(conn);
    this.refillReason = null;
    this.emit('open', { backend: conn.backend, session: conn.session });
    if (this.open.length === 1) this.resume(conn);
    this.afterOpen();
  }

  onJoined(conn, msg) {
    if (!this.rooms.has(msg.room) || !Number.isFinite(msg.seq)) return;
    const last = this.rooms.get(msg.room);
    this.rooms.set(msg.room, last == null ? msg.seq : Math.max(last, msg.seq));
    for (const { resolve } of this.joins.get(msg.room) ?? []) resolve(msg.seq);
    this.joins.delete(msg.room);
    this.joinSettled(conn, msg.room);
  }

  /** A replacement waiting for its rooms takes over once each was joined or refused. */
  joinSettled(conn, room) {
    if (!conn.awaitingJoins) return;
    conn.awaitingJoins.delete(room);
    if (conn.awaitingJoins.size === 0) {
      conn.awaitingJoins = null;
      if (conn.replaces && this.open.includes(conn.replaces)) this.swap(conn.replaces, conn);
    }
  }

  /** Make-before-break: `next` is ready, so it takes `old`'s place and `old` closes. */
  swap(old, next) {
    const at = this.open.indexOf(old);
    remove(this.opening, next);
    this.open[at] = next;
    this.emit('open', { backend: next.backend, session: next.session });
    if (at === 0) for (const id of this.publishes.keys()) this.sendPublish(next, id);
    this.emit('close', { backend: old.backend, code: 1000, reason: 'moved' });
    closeQuietly(old, 1000, 'moved');
    this.afterOpen();
  }

  afterOpen() {
    this.flushQueue();
    this.fill();
    this.updateState();
  }

  /** Rejoins every room from the last seq seen and resends every unacked publish with its id. */
  resume(conn) {
    for (const room of this.rooms.keys()) this.sendJoin(conn, room);
    for (const id of this.publishes.keys()) this.sendPublish(conn, id);
  }

  /**
   * A `forbidden` error rejects the publish it names by id, or else its room's join (then not rejoined:
   * a replacement connection's new ticket may allow fewer rooms).
   */
  onRefused(conn, msg) {
    if (msg.code !== ErrorCode.FORBIDDEN || typeof msg.room !== 'string') return;
    const refused = new ForbiddenError(String(msg.message), msg.room, msg.id);
    if (msg.id != null) {
      const p = this.publishes.get(msg.id);
      if (p) {
        this.publishes.delete(msg.id);
        p.reject(refused);
      }
      return;
    }
    this.rooms.delete(msg.room);
    for (const { reject } of this.joins.get(msg.room) ?? []) reject(refused);
    this.joins.delete(msg.room);
    this.joinSettled(conn, msg.room);
  }

  onMessage(msg) {
    if (!this.rooms.has(msg.room) || !Number.isFinite(msg.seq)) return;
    const last = this.rooms.get(msg.room);
    if (last != null && msg.seq <= last) return; // already delivered (a replay, or a second connection during a move)
    this.rooms.set(msg.room, msg.seq);
    this.emit('message', msg);
  }

  onClosed(conn, e) {
    if (this.opening.includes(conn)) {
      if (!conn.abandoned) {
        // closed after the socket opened: reachable but it went away; before: unreachable, or an
        // upgrade refused (401 ticket, 403 origin, 503), which a page cannot tell apart: probe first
        this.attemptFailed(conn, `closed before its welcome (${e.code})`, false);
        if (!conn.socketOpen) this.reportIfUnreachable(conn.backend);
      }
      return;
    }
    if (this.open.includes(conn)) {
      this.emit('close', { backend: conn.backend, code: e.code, reason: e.reason });
      // the backend closed us at its drain deadline while our move was under way: part of the move
      const moving = this.opening.some((o) => o.replaces === conn);
      this.failover(conn, MoveReason.CLOSED, `connection closed (${e.code})`, false, moving);
    }
  }

  // ---- moves --------------------------------------------------------------------------------

  moveAway(from, hint) {
    if (this.stopped || !this.open.includes(from) || this.opening.some((c) => c.replaces === from)) return;
    const target = preferredTarget(hint, this.list.backends, this.usable())
      ?? this.pickUnused(moveTargets(hint, this.list.backends));
    // none: a drain waits for the deadline's close and fails over then; a rebalance with no
    // under-share backend listed stays, which is the balanced choice
    if (!target) return;
    this.emit('move', { from: from.backend, to: target, reason: hint.reason });
    this.connect(target, from, hint.reason);
  }

  /**
   * A connection failed: out of the pool at once; the next open one becomes primary; the refill goes
   * to another backend after a spread window sized so the lost backend's clients do not storm the rest.
   */
  failover(conn, reason, detail, emitClose = true, planned = false) {
    const at = this.open.indexOf(conn);
    if (at < 0) return;
    this.open.splice(at, 1);
    this.refillReason = reason; // the refill tells its backend it moved here
    if (!planned) {
      this.lostAt.set(conn.backend.id, this.env.now()); // the list may still show it: never back while another is listed
      this.emit('failover', { from: conn.backend, reason, detail });
    }
    if (emitClose) this.emit('close', { backend: conn.backend, code: 4000, reason: detail });
    closeQuietly(conn, 4000, detail);
    for (const o of [...this.opening]) {
      if (o.replaces === conn && o.awaitingJoins) {
        remove(this.opening, o); // a replacement mid-join joins the pool instead
        o.awaitingJoins = null;
        this.open.push(o);
        this.emit('open', { backend: o.backend, session: o.session });
      } else if (o.replaces === conn) {
        o.replaces = null; // a replacement still opening is now the refill: no second one beside it
      }
    }
    if (at === 0 && this.open.length > 0) this.resume(this.open[0]);
    this.refillAfterLoss(conn);
    this.updateState();
  }

  /** The first attempt after losing `conn`'s backend: at once, or within its spread window; backoff is for repeated failures. */
  refillAfterLoss(conn) {
    if (this.stopped) return;
    const lost = conn.backend;
    const backends = this.list.backends;
    const displaced = Math.max(conn.listedConnections ?? 0, (backends.get(lost.id) ?? lost).connections);
    let survivors = 0;
    for (const b of backends.values()) if (b.state === 'UP' && !b.suspect && b.id !== lost.id) survivors++;
    const delay = spread(displaced, survivors, this.options.failoverRate, this.options.maxMs, this.env.random);
    if (this.retryTimer) this.clearLater(this.retryTimer); // a pending backoff belongs to earlier failures
    this.retryTimer = null;
    if (delay < 1) {
      this.fill();
      return;
    }
    this.retryTimer = this.later(delay, () => {
      this.retryTimer = null;
      this.fill();
      this.updateState();
    });
  }

  // ---- heartbeat, queue, state --------------------------------------------------------------

  tick() {
    const now = this.env.now();
    const o = this.options;
    for (const c of [...this.opening]) {
      if (!c.ready && now - c.startedAt > o.timeoutMs) {
        this.abandon(c);
        // a ticket that took too long says nothing about the backend: no report
        this.attemptFailed(c, `no ${c.dialed ? 'welcome' : 'ticket'} within ${o.timeoutMs} ms`, c.dialed);
      }
    }
    for (const c of [...this.open]) {
      const oldest = c.pings.size > 0 ? Math.min(...c.pings.values()) : null;
      if (oldest !== null && now - oldest > o.timeoutMs) {
        this.failover(c, MoveReason.HEARTBEAT_TIMEOUT, `no pong within ${o.timeoutMs} ms`);
        continue;
      }
      if (oldest === null && now - c.heardAt >= o.intervalMs) {
        const id = ++this.pingId;
        c.pings.set(id, now);
        c.socket.send(JSON.stringify({ type: 'ping', id }));
      }
      if (now - c.openedAt >= o.intervalMs) this.attempt = 0; // healthy this long: the backoff starts over
    }
    this.flushQueue(); // browsers have no drain event: retry what waited on a full socket buffer
  }

  writable() {
    const n = this.open.length;
    if (n === 0) return null;
    let start;
    if (this.options.policy === 'sticky') start = 0;
    else if (this.options.policy === 'round-robin') start = (this.sendCounter = (this.sendCounter + 1) & 0x7fffffff) % n;
    else start = Math.floor(this.env.random() * n);
    for (let i = 0; i < n; i++) {
      const c = this.open[(start + i) % n];
      if (c.socket.readyState === 1 && c.socket.bufferedAmount <= this.options.maxBufferedBytes) return c;
    }
    return null;
  }

  flushQueue() {
    let c;
    while (this.queue.length > 0 && (c = this.writable())) c.socket.send(this.queue.shift());
  }

  updateState() {
    let next;
    if (this.stopped) next = State.OFFLINE;
    else if (this.open.length >= this.options.connections) next = State.OPEN;
    else if (this.open.length > 0) next = State.DEGRADED;
    else if (this.failuresInARow >= OFFLINE_AFTER_FAILURES
      || ![...this.list.backends.values()].some((b) => b.state === 'UP')) next = State.OFFLINE;
    else next = State.CONNECTING;
    this.setState(next);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', { state });
  }

  sendJoin(conn, room) {
    const since = this.rooms.get(room);
    conn.socket.send(JSON.stringify(since == null ? { type: 'join', room } : { type: 'join', room, since }));
  }

  sendPublish(conn, id) {
    const p = this.publishes.get(id);
    conn.socket.send(JSON.stringify({ type: 'publish', room: p.room, id, data: p.data }));
  }

  // ---- plumbing -----------------------------------------------------------------------------

  emit(type, detail) {
    try {
      this.dispatchEvent(new CustomEvent(type, { detail }));
    } catch (err) {
      console.warn(`switchboard: a '${type}' listener threw; the client carries on`, err);
    }
  }

  later(ms, fn) {
    const t = this.env.setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  clearLater(t) {
    this.env.clearTimeout(t);
    this.timers.delete(t);
  }
}

/** `url` with `?ticket=` (URL-encoded) when there is a ticket. */
function withTicket(url, ticket) {
  return ticket == null || ticket === '' ? url : withQuery(url, 'ticket', String(ticket));
}

function remove(array, item) {
  const i = array.indexOf(item);
  if (i >= 0) array.splice(i, 1);
}

function withQuery(url, name, value) {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}

function closeQuietly(conn, code, reason) {
  try {
    conn.socket?.close(code, String(reason).slice(0, 100));
  } catch (err) {
    // already closing: nothing to do
  }
}

function randomId(random) {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return Array.from({ length: 4 }, () => Math.floor(random() * 0x100000000).toString(16).padStart(8, '0')).join('-');
}
