// The backend list of a Switchboard service, followed over Server-Sent Events from one coordinator at a
// time. On any stream error it moves to the next coordinator and resumes from the last event id (a
// coordinator that does not know the id answers with a snapshot); the last known list stays meanwhile.

import { backoff } from './backoff.js';
import { rendezvousHash } from './policies.js';

/** Reports of one backend closer together than this are dropped, so reports stay bounded. */
export const REPORT_INTERVAL_MS = 10000;

/**
 * The coordinator a client starts with: rendezvous hashing of `key` over the URLs when there is a key
 * (a sticky client keeps its coordinator), otherwise a random one (spreads the subscribers).
 */
export function startIndex(coordinators, key, random = Math.random) {
  if (key == null) return Math.floor(random() * coordinators.length);
  let best = 0;
  for (let i = 1; i < coordinators.length; i++) {
    if (rendezvousHash(key, coordinators[i]) > rendezvousHash(key, coordinators[best])) best = i;
  }
  return best;
}

/**
 * Follows the list; share one between several `Switchboard` clients of a page with their `list` option.
 *
 * @param {object} options
 * @param {string[]} options.coordinators coordinator base URLs (required)
 * @param {string} [options.service='chat'] backend pool
 * @param {string} [options.key] picks the first coordinator by rendezvous hashing (else random)
 * @param {number} [options.retryMs=2000] base delay once every coordinator failed in a row (backoff, capped at 30 s)
 * @param {typeof EventSource} [options.EventSource=globalThis.EventSource]
 * @param {typeof fetch} [options.fetch=globalThis.fetch]
 * @param {() => number} [options.random=Math.random]
 * @param {Function} [options.setTimeout=globalThis.setTimeout]
 * @param {Function} [options.clearTimeout=globalThis.clearTimeout]
 *
 * Events (`event.detail`): `change` ({backends: records, type: 'snapshot'|'upsert'|'remove', and for a
 * remove `removed`: {id, reason}}), `coordinator` ({url, streaming}) when the stream opens or fails.
 */
export class BackendList extends EventTarget {
  constructor(options = {}) {
    super();
    const o = { service: 'chat', retryMs: 2000, ...options };
    if (!Array.isArray(o.coordinators) || o.coordinators.length === 0) {
      throw new TypeError('BackendList: options.coordinators must list at least one URL');
    }
    this.coordinators = o.coordinators.map((u) => u.replace(/\/$/, ''));
    this.service = o.service;
    this.retryMs = o.retryMs;
    this.env = {
      EventSource: o.EventSource ?? globalThis.EventSource,
      fetch: o.fetch ?? globalThis.fetch?.bind(globalThis),
      random: o.random ?? Math.random,
      setTimeout: o.setTimeout ?? globalThis.setTimeout.bind(globalThis),
      clearTimeout: o.clearTimeout ?? globalThis.clearTimeout.bind(globalThis),
    };
    this.index = startIndex(this.coordinators, o.key, this.env.random);
    /** @type {Map<string, object>} the list as last known, by id */
    this.backends = new Map();
    this.lastEventId = null;
    this.streaming = false;
    this.failures = 0;
    this.reportedAt = new Map();
    this.source = null;
    this.timer = null;
    this.started = false;
  }

  /** The base URL of the coordinator followed now (or tried next). */
  get coordinator() {
    return this.coordinators[this.index];
  }

  /** Starts following (idempotent). */
  start() {
    if (this.started) return this;
    this.started = true;
    this.subscribe();
    return this;
  }

  stop() {
    this.started = false;
    this.source?.close();
    this.source = null;
    if (this.timer) this.env.clearTimeout(this.timer);
    this.timer = null;
    this.streaming = false;
  }

  /** Tells the coordinator a listed backend could not be reached (at most once per backend per 10 s). */
  report(id, reason) {
    const now = Date.now();
    if (now - (this.reportedAt.get(id) ?? -Infinity) < REPORT_INTERVAL_MS || !this.env.fetch) return;
    for (const known of this.reportedAt.keys()) if (!this.backends.has(known)) this.reportedAt.delete(known);
    this.reportedAt.set(id, now);
    this.env.fetch(`${this.coordinator}/v1/backends/${encodeURIComponent(id)}/reports`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ reason }),
    }).catch((err) => console.debug('switchboard: report failed', err));
  }

  subscribe() {
    if (!this.started) return;
    const params = new URLSearchParams({ service: this.service });
    if (this.lastEventId) params.set('lastEventId', this.lastEventId);
    const source = new this.env.EventSource(`${this.coordinator}/v1/backends/stream?${params}`);
    this.source = source;
    source.addEventListener('open', () => {
      this.streaming = true;
      this.emit('coordinator', { url: this.coordinator, streaming: true });
    });
    source.addEventListener('snapshot', (e) => this.onEvent(e, (data) => {
      if (!Array.isArray(data.backends)) throw new TypeError('snapshot without backends');
      this.backends = new Map(data.backends.filter(validRecord).map((b) => [b.id, b]));
    }));
    source.addEventListener('upsert', (e) => this.onEvent(e, (data) => {
      if (!validRecord(data)) throw new TypeError('invalid record');
      this.backends.set(data.id, data);
    }));
    source.addEventListener('remove', (e) => this.onEvent(e, (data) => {
      if (typeof data.id !== 'string') throw new TypeError('remove without id');
      this.backends.delete(data.id);
      return { removed: { id: data.id, reason: typeof data.reason === 'string' ? data.reason : 'unknown' } };
    }));
    source.onerror = () => {
      // EventSource would retry the same coordinator; we move to the next one instead
      if (this.source !== source) return;
      source.close();
      this.source = null;
      this.streaming = false;
      this.emit('coordinator', { url: this.coordinator, streaming: false });
      this.index = (this.index + 1) % this.coordinators.length;
      const round = Math.floor(this.failures++ / this.coordinators.length);
      const delay = round === 0 && this.coordinators.length > 1
        ? Math.floor(this.env.random() * 100)
        : Math.max(this.retryMs / 2, backoff(round, this.retryMs, 30000, this.env.random));
      this.timer = this.env.setTimeout(() => { this.timer = null; this.subscribe(); }, delay);
    };
  }

  onEvent(event, apply) {
    let extra;
    try {
      extra = apply(JSON.parse(event.data));
    } catch (err) {
      console.warn('switchboard: ignoring malformed list event', event.type, err);
      return;
    }
    this.failures = 0;
    if (event.lastEventId) this.lastEventId = event.lastEventId;
    this.emit('change', { backends: [...this.backends.values()], type: event.type, ...extra });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

function validRecord(b) {
  return b !== null && typeof b === 'object' && typeof b.id === 'string' && typeof b.url === 'string'
    && /^wss?:\/\//.test(b.url) && (b.state === 'UP' || b.state === 'DRAINING');
}
