// Rooms and publishes: the last seq delivered per room (dedupe, rejoin with `since`), the pending
// joins and the unacked publishes (resent with their id on a new primary), each settled by its answer,
// its `error` frame, or `requestTimeoutMs`.

import { ClientErrorCode, ErrorCode } from './codes.js';
import { RequestError, refusal } from './errors.js';

export class Rooms {
  /**
   * @param {object} options {requestTimeoutMs, queueSize}
   * @param {import('./env.js').Timers} timers
   * @param {() => string} newId a fresh publish id
   * @param {(room: string) => void} dropped told when a room is given up (refused or timed out)
   */
  constructor(options, timers, newId, dropped) {
    this.options = options;
    this.timers = timers;
    this.newId = newId;
    this.dropped = dropped;
    this.seqs = new Map(); // room -> last seq delivered (null until joined)
    this.joins = new Map(); // room -> [{resolve, reject, timer}]
    this.publishes = new Map(); // id -> {room, data, resolve, reject, timer}
  }

  get size() {
    return this.seqs.size;
  }

  names() {
    return [...this.seqs.keys()];
  }

  /** The `since` to join `room` with: the last seq delivered, or null. */
  since(room) {
    return this.seqs.get(room) ?? null;
  }

  /** A join wanted: resolves with the seq the room starts after; rejects on refusal or timeout. */
  join(room) {
    if (!this.seqs.has(room)) this.seqs.set(room, null);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, reject, timer: null };
      waiter.timer = this.timers.later(this.options.requestTimeoutMs, () => {
        this.failJoin(room, new RequestError(`join of room '${room}' not answered within ${this.options.requestTimeoutMs} ms`,
          ClientErrorCode.TIMEOUT, room), waiter);
      });
      this.joins.set(room, [...(this.joins.get(room) ?? []), waiter]);
    });
  }

  /** A publish wanted: {id, done} (done resolves with the stored seq), or a rejected `done` past `queueSize`. */
  publish(room, data) {
    if (this.publishes.size >= this.options.queueSize) {
      return { id: null, done: Promise.reject(new RequestError(`Switchboard: ${this.publishes.size} publishes unacked (queueSize)`,
        ClientErrorCode.QUEUE_FULL, room)) };
    }
    const id = this.newId();
    const done = new Promise((resolve, reject) => {
      const timer = this.timers.later(this.options.requestTimeoutMs, () => {
        this.publishes.delete(id);
        reject(new RequestError(`publish ${id} to room '${room}' not acked within ${this.options.requestTimeoutMs} ms`,
          ClientErrorCode.TIMEOUT, room, id));
      });
      this.publishes.set(id, { room, data, resolve, reject, timer });
    });
    return { id, done };
  }

  publishFrame(id) {
    const p = this.publishes.get(id);
    return { type: 'publish', room: p.room, id, data: p.data };
  }

  unacked() {
    return [...this.publishes.keys()];
  }

  /**
   * `joined` on `conn`: a seq below the `since` sent means the room began again (destroyed and
   * re-created), so the server's seq is taken; otherwise the later of ours and its (a message
   * delivered meanwhile on another connection stays delivered). False for a room not wanted.
   */
  onJoined(conn, frame) {
    if (!this.seqs.has(frame.room) || !Number.isFinite(frame.seq)) return false;
    const last = this.seqs.get(frame.room);
    const sent = conn.sinceSent.get(frame.room);
    const restarted = sent != null && frame.seq < sent;
    this.seqs.set(frame.room, last == null || restarted ? frame.seq : Math.max(last, frame.seq));
    for (const w of this.joins.get(frame.room) ?? []) {
      this.timers.cancel(w.timer);
      w.resolve(frame.seq);
    }
    this.joins.delete(frame.room);
    return true;
  }

  /** A room message: true when it is new (deliver it), false for a repeat or a room not joined. */
  onMessage(frame) {
    if (!this.seqs.has(frame.room) || !Number.isFinite(frame.seq)) return false;
    const last = this.seqs.get(frame.room);
    if (last != null && frame.seq <= last) return false; // a replay, or a second connection during a move
    this.seqs.set(frame.room, frame.seq);
    return true;
  }

  onAck(frame) {
    const p = this.publishes.get(frame.id);
    if (!p || !Number.isFinite(frame.seq)) return;
    this.publishes.delete(frame.id);
    this.timers.cancel(p.timer);
    p.resolve(frame.seq);
  }

  /**
   * An `error` frame: one with a known publish `id` rejects that publish; one with a `room` and no id
   * answers a join: a pending join is rejected and the room given up (not rejoined), as on `forbidden`;
   * a rejoin refused otherwise keeps the room for the next primary; `history-gap` follows a `joined`
   * and only says the replay starts later. Returns the room given up, or null.
   */
  onError(frame) {
    if (frame.id != null) {
      const p = this.publishes.get(frame.id);
      if (p) {
        this.publishes.delete(frame.id);
        this.timers.cancel(p.timer);
        p.reject(refusal(frame));
      }
      return null;
    }
    if (typeof frame.room !== 'string' || frame.code === ErrorCode.HISTORY_GAP || !this.seqs.has(frame.room)) return null;
    if (this.joins.has(frame.room) || frame.code === ErrorCode.FORBIDDEN) {
      this.drop(frame.room, refusal(frame));
      return frame.room;
    }
    // a rejoin after a move refused for now (too-many-rooms on that backend): the page's room is kept and
    // asked again on the next primary; the move does not wait for it
    this.dropped(frame.room);
    return null;
  }

  /** Rejects every waiter of `room` with `error` and forgets the room. */
  drop(room, error) {
    this.seqs.delete(room);
    for (const w of this.joins.get(room) ?? []) {
      this.timers.cancel(w.timer);
      w.reject(error);
    }
    this.joins.delete(room);
    this.dropped(room);
  }

  /** A join timed out: rejects it; a room never joined is then forgotten (a rejected join leaves no trace). */
  failJoin(room, error, waiter) {
    const waiting = (this.joins.get(room) ?? []).filter((w) => w !== waiter);
    if (waiting.length > 0) this.joins.set(room, waiting);
    else this.joins.delete(room);
    waiter.reject(error);
    if (waiting.length === 0 && this.seqs.get(room) === null) {
      this.seqs.delete(room);
      this.dropped(room);
    }
  }

  /** Rejects everything pending with `stopped` (rooms stay known, as before a stop). */
  stop() {
    const stopped = () => new RequestError('Switchboard: client stopped', ClientErrorCode.STOPPED);
    for (const p of this.publishes.values()) {
      this.timers.cancel(p.timer);
      p.reject(stopped());
    }
    this.publishes.clear();
    for (const waiting of this.joins.values()) {
      for (const w of waiting) {
        this.timers.cancel(w.timer);
        w.reject(stopped());
      }
    }
    this.joins.clear();
  }
}
