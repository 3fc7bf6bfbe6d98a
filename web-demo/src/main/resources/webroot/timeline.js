// The demo page's timeline: list changes, admin actions and client moves in the order they happened,
// repeats grouped into one counted entry, failures and planned moves counted apart. Pure: no DOM, the
// clock comes in through options, so node tests drive it.

import { MoveReason } from './codes.js';

/** What an entry is about; the page has one filter checkbox per kind. */
export const Kind = Object.freeze({
  /** a backend added, draining, suspect, back, or removed from the list */
  LIST: 'list',
  /** an action a person took on the page (drain, scale, start or kill a node) */
  ADMIN: 'admin',
  /** clients that lost their backend: it died, closed on them, or stopped answering */
  FAILURE: 'failure',
  /** clients a backend asked to leave (drain, rebalance), including those it closed at the move's deadline */
  MOVE: 'move',
  /** the page's own connection and list stream */
  PAGE: 'page',
});

/** The close code a backend uses for a client still connected at a drain or rebalance deadline. */
export const GOING_AWAY = 1001;

/** The first 8 characters of a node id (the backend ids start with them); other ids as they are. */
export function shortId(id) {
  if (id == null) return '—';
  return /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(id) ? id.slice(0, 8) : id;
}

/**
 * Whether a client's failover was a failure or part of a planned move: a backend closes clients still
 * connected at a drain or rebalance deadline with 1001, which is the end of a planned move, not a loss.
 * @param {string} reason the failover's reason (MoveReason)
 * @param {number} [closeCode] the code of the close that caused it, when it was one
 */
export function failoverKind(reason, closeCode) {
  return reason === MoveReason.CLOSED && closeCode === GOING_AWAY ? Kind.MOVE : Kind.FAILURE;
}

/**
 * The list changes between two snapshots of the backends, in words: added, draining, suspect, back,
 * removed (with the coordinator's reason when the event says it). Ordered by backend id.
 * @param {Map<string, object>} before records by id
 * @param {Map<string, object>} after records by id
 * @param {{id: string, reason: string}} [removed] the removal a `remove` event names
 * @returns {{change: string, id: string, text: string}[]}
 */
export function listChanges(before, after, removed) {
  const out = [];
  for (const [id, b] of [...after].sort(([x], [y]) => (x < y ? -1 : 1))) {
    const a = before.get(id);
    if (!a) out.push({ change: 'added', id, text: `${id} added on node ${shortId(b.node)} (${b.state.toLowerCase()})` });
    else if (a.state !== b.state) out.push({ change: b.state === 'DRAINING' ? 'draining' : 'up', id, text: `${id} ${b.state === 'DRAINING' ? 'draining' : 'up again'}` });
    else if (!a.suspect && b.suspect) out.push({ change: 'suspect', id, text: `${id} suspect: its node missed heartbeats` });
    else if (a.suspect && !b.suspect) out.push({ change: 'back', id, text: `${id} no longer suspect` });
  }
  for (const id of [...before.keys()].sort()) {
    if (!after.has(id)) {
      const why = removed?.id === id && removed.reason ? ` (${removed.reason})` : '';
      out.push({ change: 'removed', id, text: `${id} removed${why}` });
    }
  }
  return out;
}

/**
 * A bounded timeline of grouped entries, newest last. An event whose `key` matches an entry added less
 * than `groupMs` before (among the last `lookBack` entries) counts into that entry instead of making a
 * new one. Past `capacity` entries the oldest are dropped and counted as hidden.
 *
 * @param {object} [options]
 * @param {number} [options.capacity=1000] entries kept
 * @param {number} [options.groupMs=3000] how long an entry takes in repeats of its key
 * @param {number} [options.lookBack=30] how many recent entries a repeat may join
 * @param {() => number} [options.now=Date.now] wall clock in ms
 */
export class Timeline {
  constructor(options = {}) {
    this.o = { capacity: 1000, groupMs: 3000, lookBack: 30, now: Date.now, ...options };
    this.items = [];
    this.hidden = 0;
    this.seq = 0;
    /** events per kind, repeats included */
    this.counts = Object.fromEntries(Object.values(Kind).map((k) => [k, 0]));
    /** failures per reason and moves per reason */
    this.reasons = { [Kind.FAILURE]: {}, [Kind.MOVE]: {} };
  }

  /**
   * Adds one event; returns its entry (a new one, or the group it joined).
   * @param {{kind: string, text: string, key?: string, reason?: string}} event `text` of a group is
   *   the first event's; `key` defaults to the text
   */
  add(event) {
    const at = this.o.now();
    this.counts[event.kind] = (this.counts[event.kind] ?? 0) + 1;
    if (event.reason && this.reasons[event.kind]) {
      const r = this.reasons[event.kind];
      r[event.reason] = (r[event.reason] ?? 0) + 1;
    }
    const key = `${event.kind}|${event.key ?? event.text}`;
    for (let i = this.items.length - 1; i >= Math.max(0, this.items.length - this.o.lookBack); i--) {
      const e = this.items[i];
      if (e.key === key && at - e.at <= this.o.groupMs) {
        e.count++;
        e.lastAt = at;
        this.seq++;
        return e;
      }
    }
    const entry = { id: ++this.seq, kind: event.kind, key, text: event.text, at, lastAt: at, count: 1 };
    this.items.push(entry);
    if (this.items.length > this.o.capacity) {
      this.items.shift();
      this.hidden++;
    }
    return entry;
  }

  /** Changes an entry's text in place (an admin action's answer), keeping its place in the order. */
  update(entry, text) {
    entry.text = text;
    this.seq++;
  }

  /** The entries of the given kinds, newest first. */
  entries(kinds = new Set(Object.values(Kind))) {
    return this.items.filter((e) => kinds.has(e.kind)).reverse();
  }
}

/** How a client event reads on the timeline: `{kind, key, text, reason}`. */
export function clientEvent(type, detail, closeCode) {
  const from = detail.from?.id ?? '—';
  if (type === 'move') {
    return { kind: Kind.MOVE, reason: detail.reason, key: `${detail.reason} ${from}>${detail.to.id}`, text: `${detail.reason}: ${from} → ${detail.to.id}` };
  }
  const kind = failoverKind(detail.reason, closeCode);
  if (kind === Kind.MOVE) {
    return { kind, reason: 'deadline', key: `deadline ${from}`, text: `closed at the move deadline on ${from}, reconnecting` };
  }
  return { kind, reason: detail.reason, key: `${detail.reason} ${from}`, text: `failover off ${from}: ${detail.detail ?? detail.reason}` };
}

/** Words for an admin call: `POST /v1/admin/backends/x/drain?deadlineMs=5000` → `drain x (deadline 5 s)`. */
export function adminText(method, path, body) {
  const [p, query] = path.split('?');
  const params = new URLSearchParams(query ?? '');
  let m = p.match(/\/v1\/admin\/backends\/([^/]+)\/drain$/);
  if (m) {
    const deadline = params.get('deadlineMs');
    return `drain ${decodeURIComponent(m[1])}${deadline ? ` (deadline ${Number(deadline) / 1000} s)` : ''}`;
  }
  m = p.match(/\/v1\/admin\/nodes\/([^/]+)\/scale$/);
  if (m) return `scale node ${shortId(decodeURIComponent(m[1]))} to ${body?.instances} backends`;
  m = p.match(/\/demo\/nodes\/(\d+)\/kill$/);
  if (m) return `kill -9 node JVM (pid ${m[1]})`;
  if (p === '/demo/nodes' && method === 'POST') return 'start a node JVM';
  return `${method} ${p}`;
}

/** The one-line outcome of an admin answer: `202 accepted`, `404: no backend x`. */
export function answerText(status, text) {
  let detail = '';
  try {
    const body = JSON.parse(text);
    detail = body.error ? `: ${body.error}` : body.instances != null ? `: ${body.instances} backends` : body.node ? `: node ${shortId(body.node)}` : '';
  } catch {
    detail = text ? `: ${text.slice(0, 80)}` : '';
  }
  return `${status}${status < 300 ? ' ok' : ''}${detail}`;
}
