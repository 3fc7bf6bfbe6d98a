// Switchboard browser client (first version): follows the backend list over SSE, keeps one
// WebSocket to a backend chosen by policy, heartbeats it and fails over with jittered backoff.
// Dependency-free ES module; the environment (WebSocket, EventSource, timers, clock, random) is
// injected through options so tests can drive it.

/** Connection states, emitted through the `state` event. */
export const State = Object.freeze({
  CONNECTING: 'connecting',
  OPEN: 'open',
  OFFLINE: 'offline',
});

/** Full-jitter exponential backoff: a random delay in [0, min(maxMs, baseMs * 2^attempt)). */
export function backoff(attempt, baseMs, maxMs, random = Math.random) {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

import { createSelector } from './policies.js';

const DEFAULTS = Object.freeze({
  coordinators: [],
  service: 'chat',
  policy: 'round-robin',
  key: undefined,
  intervalMs: 2000,
  timeoutMs: 5000,
  baseMs: 250,
  maxMs: 10000,
});

/**
 * A client of one Switchboard service.
 *
 * @param {object} options
 * @param {string[]} options.coordinators coordinator base URLs, e.g. ['http://127.0.0.1:8080'] (required)
 * @param {string} [options.service='chat'] backend pool
 * @param {string} [options.policy='round-robin'] round-robin, random, least-loaded or sticky (see policies.js)
 * @param {string} [options.key] the key for `sticky`
 * @param {number} [options.intervalMs=2000] heartbeat ping interval
 * @param {number} [options.timeoutMs=5000] no pong within this → the connection is replaced
 * @param {number} [options.baseMs=250] reconnect backoff base
 * @param {number} [options.maxMs=10000] reconnect backoff cap
 * @param {typeof WebSocket} [options.WebSocket=globalThis.WebSocket]
 * @param {typeof EventSource} [options.EventSource=globalThis.EventSource]
 * @param {() => number} [options.now=performance.now] monotonic clock in ms
 * @param {() => number} [options.random=Math.random]
 * @param {Function} [options.setTimeout=globalThis.setTimeout]
 * @param {Function} [options.clearTimeout=globalThis.clearTimeout]
 *
 * Events (EventTarget, payload in `event.detail`): `backends` (array of records), `state`
 * ({state}), `open` ({backend}), `close` ({backend, code, reason}), `rtt` ({backend, ms}),
 * `failover` ({from, reason}), `message` (a room message, once each, in seq order per room; other
 * frames the client does not handle come as `message` too).
 *
 * Rooms: `join(room)` and `publish(room, data)` return promises (the seq). After a failover the
 * client rejoins every room from the last seq it delivered and resends unacked publishes with the
 * same id, so nothing is lost or repeated. A `drain` moves make-before-break.
 */
export class Switchboard extends EventTarget {
  constructor(options = {}) {
    super();
    const o = { ...DEFAULTS, ...options };
    if (!Array.isArray(o.coordinators) || o.coordinators.length === 0) {
      throw new TypeError('Switchboard: options.coordinators must list at least one URL');
    }
    this.options = o;
    this.env = {
      WebSocket: o.WebSocket ?? globalThis.WebSocket,
      EventSource: o.EventSource ?? globalThis.EventSource,
      now: o.now ?? (() => performance.now()),
      random: o.random ?? Math.random,
      setTimeout: o.setTimeout ?? globalThis.setTimeout.bind(globalThis),
      clearTimeout: o.clearTimeout ?? globalThis.clearTimeout.bind(globalThis),
    };
    this.backends = new Map();
    this.state = State.OFFLINE;
    this.current = null; // the open connection {backend, socket, pending, heartbeat}
    this.candidate = null; // a connection waiting for its welcome (first connect, failover or move)
    this.rooms = new Map(); // room -> last seq delivered (null until joined)
    this.joins = new Map(); // room -> [resolve]
    this.publishes = new Map(); // id -> {room, data, resolve}
    this.lastEventId = null;
    this.coordinatorIndex = Math.floor(this.env.random() * o.coordinators.length);
    this.selector = createSelector(o.policy, [], this.env.random);
    this.attempt = 0;
    this.pingId = 0;
    this.timers = new Set();
    this.stopped = true;
  }

  /** Starts following the list and connecting. */
  start() {
    this.stopped = false;
    this.subscribe();
    return this;
  }

  /** Closes the list stream and the connection; no more events. */
  stop() {
    this.stopped = true;
    this.source?.close();
    this.source = null;
    for (const t of this.timers) this.env.clearTimeout(t);
    this.timers.clear();
    this.closeCurrent(1000, 'client stopped');
    this.setState(State.OFFLINE);
  }

  /** Sends a JSON message on the open connection; returns false when none is open. */
  send(message) {
    const socket = this.current?.socket;
    if (!socket || socket.readyState !== 1) return false;
    socket.send(JSON.stringify(message));
    return true;
  }

  /** Joins a room; resolves with the seq the room starts after. Rejoined from the last seq after failover. */
  join(room) {
    if (!this.rooms.has(room)) this.rooms.set(room, null);
    const joined = new Promise((resolve) => {
      this.joins.set(room, [...(this.joins.get(room) ?? []), resolve]);
    });
    if (this.current) this.sendJoin(this.current, room);
    return joined;
  }

  /** Publishes; resolves with the message's seq once stored. Resent with the same id after failover. */
  publish(room, data) {
    const id = randomId(this.env.random);
    return new Promise((resolve) => {
      this.publishes.set(id, { room, data, resolve });
      if (this.current) this.sendPublish(this.current, id);
    });
  }

  sendJoin(conn, room) {
    const since = this.rooms.get(room);
    conn.socket.send(JSON.stringify(since == null ? { type: 'join', room } : { type: 'join', room, since }));
  }

  sendPublish(conn, id) {
    const p = this.publishes.get(id);
    conn.socket.send(JSON.stringify({ type: 'publish', room: p.room, id, data: p.data }));
  }

  // ---- backend list -------------------------------------------------------------------------

  subscribe() {
    const base = this.options.coordinators[this.coordinatorIndex % this.options.coordinators.length];
    const params = new URLSearchParams({ service: this.options.service });
    if (this.lastEventId) params.set('lastEventId', this.lastEventId);
    const source = new this.env.EventSource(`${base.replace(/\/$/, '')}/v1/backends/stream?${params}`);
    this.source = source;
    source.addEventListener('snapshot', (e) => this.onListEvent(e, (data) => {
      this.backends = new Map(data.backends.filter(validRecord).map((b) => [b.id, b]));
    }));
    source.addEventListener('upsert', (e) => this.onListEvent(e, (data) => {
      if (validRecord(data)) this.backends.set(data.id, data);
    }));
    source.addEventListener('remove', (e) => this.onListEvent(e, (data) => {
      this.backends.delete(data.id);
    }));
    source.onerror = () => {
      // EventSource retries the same coordinator by itself; once it gives up, move to the next one.
      if (source.readyState === 2 && !this.stopped) {
        this.coordinatorIndex++;
        this.later(backoff(1, this.options.baseMs, this.options.maxMs, this.env.random), () => this.subscribe());
      }
    };
  }

  onListEvent(event, apply) {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch (err) {
      console.warn('switchboard: ignoring malformed list event', event.type, err);
      return;
    }
    apply(data);
    this.selector = createSelector(this.options.policy, [...this.backends.values()], this.env.random);
    if (event.lastEventId) this.lastEventId = event.lastEventId;
    this.emit('backends', [...this.backends.values()]);
    const cur = this.current?.backend;
    // removal forces a failover at once; a DRAINING backend sends `drain` and we move make-before-break
    if (cur && !this.backends.has(cur.id)) {
      this.failover('backend left the list');
    } else if (!this.current && this.state !== State.CONNECTING) {
      this.connect();
    }
  }

  isUsable(backend) {
    return backend !== undefined && backend.state === 'UP';
  }

  /** The next backend by the configured policy (never a DRAINING one), or null. */
  pick() {
    return this.selector.pick(this.options.key);
  }

  // ---- connection ---------------------------------------------------------------------------

  connect() {
    if (this.stopped || this.current || this.candidate) return;
    const backend = this.pick();
    if (!backend) {
      this.setState(State.OFFLINE);
      return; // the next list event reconnects
    }
    this.setState(State.CONNECTING);
    this.candidate = this.open(backend);
  }

  /** Opens a connection; it becomes the current one when its welcome arrives. */
  open(backend) {
    const socket = new this.env.WebSocket(backend.url);
    const conn = { backend, socket, pending: new Map(), heartbeat: null, ready: false };
    socket.onmessage = (e) => this.onFrame(conn, e.data);
    socket.onclose = (e) => {
      if (this.candidate === conn) {
        this.candidate = null;
        if (!this.current) this.scheduleReconnect(`connection failed (${e.code})`);
        return;
      }
      if (this.current !== conn) return;
      this.emit('close', { backend, code: e.code, reason: e.reason });
      this.emit('failover', { from: backend, reason: `connection closed (${e.code})` });
      this.dropCurrent();
      this.scheduleReconnect(`connection closed (${e.code})`);
    };
    return conn;
  }

  onFrame(conn, text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch (err) {
      console.warn('switchboard: ignoring malformed frame', err);
      return;
    }
    if (msg.type === 'welcome') {
      const previous = this.current;
      if (this.candidate === conn) this.candidate = null;
      if (previous && previous !== conn) {
        // make-before-break: the new connection is ready, the old one goes
        this.dropCurrent();
        previous.socket.close(1000, 'moved');
      }
      this.current = conn;
      conn.ready = true;
      this.attempt = 0;
      this.setState(State.OPEN);
      for (const room of this.rooms.keys()) this.sendJoin(conn, room);
      for (const id of this.publishes.keys()) this.sendPublish(conn, id);
      this.emit('open', { backend: conn.backend, session: msg.session });
      this.heartbeat(conn);
    } else if (msg.type === 'joined' && this.rooms.has(msg.room)) {
      const last = this.rooms.get(msg.room);
      this.rooms.set(msg.room, last == null ? msg.seq : Math.max(last, msg.seq));
      for (const resolve of this.joins.get(msg.room) ?? []) resolve(msg.seq);
      this.joins.delete(msg.room);
    } else if (msg.type === 'message' && this.rooms.has(msg.room)) {
      const last = this.rooms.get(msg.room);
      if (last != null && msg.seq <= last) return; // a replay already delivered
      this.rooms.set(msg.room, msg.seq);
      this.emit('message', msg);
    } else if (msg.type === 'ack' && this.publishes.has(msg.id)) {
      const p = this.publishes.get(msg.id);
      this.publishes.delete(msg.id);
      p.resolve(msg.seq);
    } else if (msg.type === 'pong' && conn.pending.has(msg.id)) {
      const sentAt = conn.pending.get(msg.id);
      conn.pending.clear();
      this.emit('rtt', { backend: conn.backend, ms: this.env.now() - sentAt });
    } else if (msg.type === 'drain') {
      // move at a random moment within half the deadline, so a drained backend causes no stampede
      const delay = Math.floor(this.env.random() * (msg.deadlineMs ?? 0) / 2);
      this.later(delay, () => this.moveAway(conn));
    } else {
      this.emit('message', msg);
    }
  }

  heartbeat(conn) {
    if (this.current !== conn) return;
    const id = ++this.pingId;
    conn.pending.set(id, this.env.now());
    this.send({ type: 'ping', id });
    conn.heartbeat = this.later(this.options.intervalMs, () => {
      if (this.current !== conn) return;
      const oldest = Math.min(...conn.pending.values());
      if (conn.pending.size > 0 && this.env.now() - oldest >= this.options.timeoutMs) {
        this.failover('heartbeat timeout');
      } else {
        this.heartbeat(conn);
      }
    });
  }

  /** Make-before-break: opens a connection to another backend; it replaces `from` at its welcome. */
  moveAway(from) {
    if (this.stopped || this.current !== from || this.candidate) return;
    let target = null;
    for (let i = 0; i < 5 && (!target || target.id === from.backend.id); i++) target = this.pick();
    if (!target || target.id === from.backend.id) return; // nowhere else yet: closed at the deadline, then failover
    this.emit('failover', { from: from.backend, reason: 'drain' });
    this.candidate = this.open(target);
  }

  failover(reason) {
    const from = this.current?.backend ?? null;
    this.emit('failover', { from, reason });
    this.closeCurrent(4000, reason);
    this.scheduleReconnect(reason);
  }

  scheduleReconnect(reason) {
    if (this.stopped) return;
    this.setState(State.CONNECTING);
    const delay = backoff(this.attempt++, this.options.baseMs, this.options.maxMs, this.env.random);
    this.later(delay, () => this.connect());
  }

  closeCurrent(code, reason) {
    const conn = this.current;
    if (!conn) return;
    this.dropCurrent();
    try {
      conn.socket.close(code, reason.slice(0, 100));
    } catch (err) {
      // already closing: nothing to do
    }
  }

  dropCurrent() {
    if (this.current?.heartbeat) this.clearLater(this.current.heartbeat);
    this.current = null;
  }

  // ---- plumbing -----------------------------------------------------------------------------

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', { state });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
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

function randomId(random) {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  return Array.from({ length: 4 }, () => Math.floor(random() * 0x100000000).toString(16).padStart(8, '0')).join('-');
}

function validRecord(b) {
  return b !== null && typeof b === 'object' && typeof b.id === 'string' && typeof b.url === 'string'
    && /^wss?:\/\//.test(b.url) && (b.state === 'UP' || b.state === 'DRAINING');
}
