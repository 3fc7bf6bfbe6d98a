// The pool: `connections` connections to distinct backends chosen by policy. Fills itself, fails over
// (the next open connection becomes primary at once; the refill is spread so a lost backend's clients
// do not storm the rest), swaps make-before-break on a planned move, and retries with backoff.

import { backoff, spread } from './backoff.js';
import { ConnectionState, MoveReason, MoveReasonText, RemoveReason } from './codes.js';
import { Connection } from './connection.js';
import { moveTargets, preferredTarget } from './move-hint.js';
import { createSelector } from './policies.js';

export class Pool {
  /**
   * @param {object} host the client: {options, env, timers, list, rooms, stopped, emit(type, detail),
   *   changed() (after the pool changed: flush the queue, update the state), frame(conn, text)}
   */
  constructor(host) {
    this.host = host;
    this.options = host.options;
    this.env = host.env;
    this.open = []; // READY connections; [0] is the primary
    this.opening = []; // CONNECTING, or (replacing the primary) JOINING
    this.failedAt = new Map(); // backend id -> when an attempt on it last failed
    this.lostAt = new Map(); // backend id -> when an established connection to it was lost
    this.refillReason = null; // why the pool lost a connection, until a refill opens
    this.selector = createSelector(this.options.policy, [], this.env.random); // one per list snapshot
    this.knownIds = new Set();
    this.attempt = 0;
    this.failuresInARow = 0;
    this.connectAttempts = 0;
    this.retryTimer = null;
  }

  get primary() {
    return this.open[0] ?? null;
  }

  /** Applies the list (`change` is its `change` detail, absent when the client starts on a known list). */
  onList(change) {
    const backends = this.host.list.backends;
    this.selector = createSelector(this.options.policy, [...backends.values()], this.env.random);
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
        c.listedConnections = listed.connections;
        c.keptUnlisted = false;
      } else if (removed?.reason === RemoveReason.UNREACHABLE) {
        // others could not reach it, but this connection works: keep it (heartbeats judge it), choose it for nothing new
        c.keptUnlisted = true;
      } else if (!c.keptUnlisted || removed) {
        this.failover(c, MoveReason.REMOVED, MoveReasonText[MoveReason.REMOVED]);
      }
    }
    if (newcomer && this.retryTimer) {
      this.host.timers.cancel(this.retryTimer); // a new backend is new hope: try it now rather than after the backoff
      this.retryTimer = null;
    }
    if (!this.retryTimer) this.fill();
  }

  /** Opens connections to distinct backends until the pool is full or no other UP backend is left. */
  fill() {
    if (this.host.stopped) return;
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
    const others = [...this.host.list.backends.values()].some((b) => b.state === 'UP' && !b.suspect && !this.lostAt.has(b.id));
    return others ? null : this.selector.pick(key, unused);
  }

  /** The ids of the pool's backends; forgets failures and losses older than `maxMs` on the way. */
  used() {
    const now = this.env.now();
    for (const recent of [this.failedAt, this.lostAt]) {
      for (const [id, t] of recent) {
        if (now - t > this.options.maxMs || !this.host.list.backends.has(id)) recent.delete(id);
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
    const conn = new Connection(backend, replaces, moved, this.env.now());
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
        if (!conn.closing && this.opening.includes(conn)) this.attemptFailed(conn, `no ticket: ${err}`, false);
      });
    } else {
      this.dial(conn, ticket);
    }
    this.host.changed();
  }

  /** Opens the WebSocket of `conn` with `ticket`, unless the attempt was given up meanwhile. */
  dial(conn, ticket) {
    if (conn.closing || this.host.stopped || !this.opening.includes(conn)) return;
    let socket;
    try {
      const url = conn.moved ? withQuery(conn.backend.url, 'moved', conn.moved) : conn.backend.url;
      socket = new this.env.WebSocket(ticket == null || ticket === '' ? url : withQuery(url, 'ticket', String(ticket)));
    } catch (err) {
      this.attemptFailed(conn, String(err), false); // a URL the browser refuses outright
      return;
    }
    conn.attach(socket, { frame: (c, text) => this.host.frame(c, text), closed: (c, e) => this.onClosed(c, e) });
  }

  attemptFailed(conn, why, report) {
    remove(this.opening, conn);
    conn.state = ConnectionState.CLOSING;
    this.failedAt.set(conn.backend.id, this.env.now());
    const b = conn.backend;
    // a full backend refuses us too, but it is reachable: only report one that is not full
    if (report && !(b.connections >= b.capacity)) this.host.list.report(b.id, 'connect-failed');
    console.debug(`switchboard: cannot connect to ${b.id}: ${why}`);
    this.failuresInARow++;
    this.retryLater();
    this.host.changed();
  }

  /**
   * Reports `b` only if it does not answer plain HTTP either: an opaque no-cors response means it is up
   * and refused the upgrade (a bad ticket or origin must not get a healthy backend quarantined).
   */
  reportIfUnreachable(b) {
    if (b.connections >= b.capacity) return;
    const fetch = this.env.fetch;
    if (!fetch) {
      this.host.list.report(b.id, 'connect-failed');
      return;
    }
    fetch(b.url.replace(/^ws/, 'http'), { mode: 'no-cors', cache: 'no-store' })
      .then(() => {}, () => this.host.list.report(b.id, 'connect-failed'));
  }

  abandon(conn) {
    remove(this.opening, conn);
    conn.close(1000, 'abandoned');
  }

  retryLater() {
    if (this.host.stopped || this.retryTimer) return;
    const o = this.options;
    const delay = backoff(this.attempt++, o.baseMs, o.maxMs, this.env.random, o.jitter);
    this.retryTimer = this.host.timers.later(Math.max(1, delay), () => {
      this.retryTimer = null;
      this.fill();
      this.host.changed();
    });
  }

  /** A `welcome` on `conn`: it joins the pool, or (a move) replaces the connection it was opened for. */
  onWelcome(conn, frame) {
    if (conn.closing || !this.opening.includes(conn)) return;
    conn.welcome(frame, this.env.now(), this.host.explicitIntervalMs, this.options.intervalMs);
    this.failuresInARow = 0;
    const old = conn.replaces;
    if (old && this.open.includes(old)) {
      const rooms = this.host.rooms;
      if (this.open[0] === old && rooms.size > 0) {
        // the primary's replacement takes over only once its rooms are joined: no gap
        conn.setState(ConnectionState.JOINING);
        conn.awaitingJoins = new Set(rooms.names());
        for (const room of rooms.names()) conn.sendJoin(room, rooms.since(room));
      } else {
        this.swap(old, conn);
      }
      return;
    }
    remove(this.opening, conn);
    conn.setState(ConnectionState.READY);
    this.open.push(conn);
    this.refillReason = null;
    this.host.emit('open', { backend: conn.backend, session: conn.session });
    if (this.open.length === 1) this.resume(conn);
    this.afterOpen();
  }

  /**
   * `room` was joined on `conn`, or (no conn) given up: a replacement waiting for its rooms takes over
   * once each is settled.
   */
  roomSettled(room, on = null) {
    for (const conn of [...this.opening]) {
      if (!conn.awaitingJoins || (on && on !== conn)) continue;
      conn.awaitingJoins.delete(room);
      if (conn.awaitingJoins.size === 0) this.takeOver(conn);
    }
  }

  /** A replacement joining the primary's rooms takes its place now, whatever rooms are still unanswered. */
  takeOver(conn) {
    conn.awaitingJoins = null;
    if (conn.replaces && this.open.includes(conn.replaces)) this.swap(conn.replaces, conn);
  }

  /** Make-before-break: `next` is ready, so it takes `old`'s place and `old` closes. */
  swap(old, next) {
    const at = this.open.indexOf(old);
    remove(this.opening, next);
    next.setState(ConnectionState.READY);
    this.open[at] = next;
    this.host.emit('open', { backend: next.backend, session: next.session });
    if (at === 0) for (const id of this.host.rooms.unacked()) next.send(this.host.rooms.publishFrame(id));
    this.host.emit('close', { backend: old.backend, code: 1000, reason: 'moved' });
    old.close(1000, 'moved');
    this.afterOpen();
  }

  afterOpen() {
    this.fill();
    this.host.changed();
  }

  /** Rejoins every room from the last seq seen and resends every unacked publish with its id. */
  resume(conn) {
    const rooms = this.host.rooms;
    for (const room of rooms.names()) conn.sendJoin(room, rooms.since(room));
    for (const id of rooms.unacked()) conn.send(rooms.publishFrame(id));
  }

  onClosed(conn, e) {
    if (this.opening.includes(conn)) {
      if (!conn.closing) {
        // closed after the socket opened: reachable but it went away; before: unreachable, or an
        // upgrade refused (401 ticket, 403 origin, 503), which a page cannot tell apart: probe first
        this.attemptFailed(conn, `closed before its welcome (${e.code})`, false);
        if (!conn.socketOpen) this.reportIfUnreachable(conn.backend);
      }
      return;
    }
    if (this.open.includes(conn)) {
      this.host.emit('close', { backend: conn.backend, code: e.code, reason: e.reason });
      // the backend closed us at its drain deadline while our move was under way: part of the move
      const moving = this.opening.some((o) => o.replaces === conn);
      this.failover(conn, MoveReason.CLOSED, `${MoveReasonText[MoveReason.CLOSED]} (${e.code})`, false, moving);
    }
  }

  /** A planned move off `from` (a `drain` frame's hint): make-before-break to a target, or stay when there is none. */
  moveAway(from, hint) {
    if (this.host.stopped || !this.open.includes(from) || this.opening.some((c) => c.replaces === from)) return;
    const backends = this.host.list.backends;
    const target = preferredTarget(hint, backends, this.usable()) ?? this.pickUnused(moveTargets(hint, backends));
    // none: a drain waits for the deadline's close and fails over then; a rebalance whose every target
    // holds one of our connections already (or with no under-share backend listed) stays, which is the
    // balanced choice, and `stay` asks the backend not to close us at the deadline
    if (!target) {
      if (hint.reason === MoveReason.REBALANCE) from.send({ type: 'stay' });
      return;
    }
    this.host.emit('move', { from: from.backend, to: target, reason: hint.reason, detail: MoveReasonText[hint.reason] });
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
      this.host.emit('failover', { from: conn.backend, reason, detail });
    }
    if (emitClose) this.host.emit('close', { backend: conn.backend, code: 4000, reason: detail });
    conn.close(4000, detail);
    for (const o of [...this.opening]) {
      if (o.replaces === conn && o.awaitingJoins) {
        remove(this.opening, o); // a replacement mid-join joins the pool instead
        o.awaitingJoins = null;
        o.setState(ConnectionState.READY);
        this.open.push(o);
        this.host.emit('open', { backend: o.backend, session: o.session });
      } else if (o.replaces === conn) {
        o.replaces = null; // a replacement still opening is now the refill: no second one beside it
      }
    }
    if (at === 0 && this.open.length > 0) this.resume(this.open[0]);
    this.refillAfterLoss(conn);
    this.host.changed();
  }

  /** The first attempt after losing `conn`'s backend: at once, or within its spread window; backoff is for repeated failures. */
  refillAfterLoss(conn) {
    if (this.host.stopped) return;
    const lost = conn.backend;
    const backends = this.host.list.backends;
    const displaced = Math.max(conn.listedConnections ?? 0, (backends.get(lost.id) ?? lost).connections);
    let survivors = 0;
    for (const b of backends.values()) if (b.state === 'UP' && !b.suspect && b.id !== lost.id) survivors++;
    const delay = spread(displaced, survivors, this.options.failoverRate, this.options.maxMs, this.env.random);
    this.host.timers.cancel(this.retryTimer); // a pending backoff belongs to earlier failures
    this.retryTimer = null;
    if (delay < 1) {
      this.fill();
      return;
    }
    this.retryTimer = this.host.timers.later(delay, () => {
      this.retryTimer = null;
      this.fill();
      this.host.changed();
    });
  }

  /** Closes every connection; the pool can be filled again afterwards. */
  closeAll() {
    for (const c of [...this.open, ...this.opening]) c.close(1000, 'client stopped');
    this.open = [];
    this.opening = [];
    this.retryTimer = null; // its timer was cancelled with the client's: a later start() must be free to refill
  }
}

function remove(array, item) {
  const i = array.indexOf(item);
  if (i >= 0) array.splice(i, 1);
}

function withQuery(url, name, value) {
  return `${url}${url.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}`;
}
