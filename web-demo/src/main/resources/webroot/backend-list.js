// The backend list of a Switchboard service, followed over Server-Sent Events from one coordinator at a
// time. On any stream error it moves to the next coordinator and resumes from the last event id (a
// coordinator that does not know the id answers with a snapshot); the last known list stays meanwhile.
// The coordinator sends a `ping` event every keep-alive interval; a stream silent for two of them is
// taken for dead — half-open, or the coordinator frozen — and left like a failed one.

import { backoff } from './backoff.js';
import { rendezvousHash } from './policies.js';

/** Reports of one backend closer together than this are dropped, so reports stay bounded. */
export const REPORT_INTERVAL_MS = 10000;

/** The coordinator's keep-alive interval until a `ping` event says otherwise. */
export const DEFAULT_KEEP_ALIVE_MS = 15000;

/** A stream must stay up this long before its coordinator's failures are forgotten. */
export const STABLE_STREAM_MS = 10000;

/** How long a stream may be silent (no event, `ping` included) before it is left: two keep-alives. */
export function silenceLimit(keepAliveMs) {
  return 2 * keepAliveMs;
}

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
 * @param {() => number} [options.now=performance.now] monotonic clock in ms
 * @param {Function} [options.setTimeout=globalThis.setTimeout]
 * @param {Function} [options.clearTimeout=globalThis.clearTimeout]
 *
 * Events (`event.detail`): `change` ({backends: records, type: 'snapshot'|'upsert'|'remove', and for a
 * remove `removed`: {id, reason}}), `coordinator` ({url, streaming}) when the stream opens or fails
 * (a stream silent for silenceLimit(keepAliveMs) fails too).
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
      now: o.now ?? (() => performance.now()),
      setTimeout: o.setTimeout ?? globalThis.setTimeout.bind(globalThis),
      clearTimeout: o.clearTimeout ?? globalThis.clearTimeout.bind(globalThis),
    };
    this.index = startIndex(this.coordinators, o.key, this.env.random);
    /** @type {Map<string, object>} the list as last known, by id */
    this.backends = new Map();
    this.lastEventId = null;
    this.streaming = false;
    this.failures = 0; // in a row, each stream shorter than STABLE_STREAM_MS counting as one
    this.keepAliveMs = DEFAULT_KEEP_ALIVE_MS; // the coordinator's, from its `ping` events
    this.openedAt = null; // when the current stream opened
    this.heardAt = 0; // when the current stream last delivered anything
    this.reportedAt = new Map();
    this.source = null;
    this.timer = null; // the resubscribe
    this.watchdog = null; // the silence check
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
    this.stopWatchdog();
    this.streaming = false;
  }

  /** Tells the coordinator a listed backend could not be reached (at most once per backend per 10 s). */
  report(id, reason) {
    const now = this.env.now();
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
    this.openedAt = null;
    this.heard();
    source.addEventListener('open', () => {
      if (this.source !== source) return;
      this.heard();
      this.openedAt = this.env.now();
      this.streaming = true;
      this.emit('coordinator', { url: this.coordinator, streaming: true });
    });
    source.addEventListener('ping', (e) => {
      if (this.source !== source) return;
      this.heard();
      try {
        const ms = JSON.parse(e.data)?.keepAliveMs;
        if (Number.isFinite(ms) && ms >= 100 && ms <= 3600000 && ms !== this.keepAliveMs) {
          this.keepAliveMs = ms;
          this.armWatchdog(silenceLimit(ms)); // a shorter interval is checked by its own deadline
        }
      } catch (err) {
        // a ping with bad data still proves the stream alive
      }
    });
    source.addEventListener('snapshot', (e) => this.onEvent(source, e, (data) => {
      if (!Array.isArray(data.backends)) throw new TypeError('snapshot without backends');
      this.backends = new Map(data.backends.filter(validRecord).map((b) => [b.id, b]));
    }));
    source.addEventListener('upsert', (e) => this.onEvent(source, e, (data) => {
      if (!validRecord(data)) throw new TypeError('invalid record');
      this.backends.set(data.id, data);
    }));
    source.addEventListener('remove', (e) => this.onEvent(source, e, (data) => {
      if (typeof data.id !== 'string') throw new TypeError('remove without id');
      this.backends.delete(data.id);
      return { removed: { id: data.id, reason: typeof data.reason === 'string' ? data.reason : 'unknown' } };
    }));
    // EventSource would retry the same coordinator; we move to the next one instead
    source.onerror = () => this.fail(source);
    this.armWatchdog(silenceLimit(this.keepAliveMs));
  }

  /** Leaves `source` (if still the current one) and subscribes to the next coordinator after a delay. */
  fail(source) {
    if (this.source !== source) return;
    source.close();
    this.source = null;
    this.stopWatchdog();
    // only a stream that stayed up a while proves the coordinator good: one that sends a snapshot
    // and drops must not be re-hit at once, for ever
    if (this.openedAt != null && this.env.now() - this.openedAt >= STABLE_STREAM_MS) this.failures = 0;
    this.openedAt = null;
    this.streaming = false;
    this.emit('coordinator', { url: this.coordinator, streaming: false });
    this.index = (this.index + 1) % this.coordinators.length;
    const round = Math.floor(this.failures++ / this.coordinators.length);
    const delay = round === 0 && this.coordinators.length > 1
      ? Math.floor(this.env.random() * 100)
      : Math.max(this.retryMs / 2, backoff(round, this.retryMs, 30000, this.env.random));
    this.timer = this.env.setTimeout(() => { this.timer = null; this.subscribe(); }, delay);
  }

  heard() {
    this.heardAt = this.env.now();
  }

  /** Checks for silence after `ms`; on each check the stream's last event decides. */
  armWatchdog(ms) {
    this.stopWatchdog();
    const source = this.source;
    this.watchdog = this.env.setTimeout(() => {
      this.watchdog = null;
      if (this.source !== source) return;
      const left = this.heardAt + silenceLimit(this.keepAliveMs) - this.env.now();
      if (left <= 0) {
        console.debug(`switchboard: list stream from ${this.coordinator} silent for ${silenceLimit(this.keepAliveMs)} ms; moving on`);
        this.fail(source);
      } else {
        this.armWatchdog(left);
      }
    }, Math.max(1, ms));
  }

  stopWatchdog() {
    if (this.watchdog) this.env.clearTimeout(this.watchdog);
    this.watchdog = null;
  }

  onEvent(source, event, apply) {
    if (this.source !== source) return;
    this.heard();
    let extra;
    try {
      extra = apply(JSON.parse(event.data));
    } catch (err) {
      console.warn('switchboard: ignoring malformed list event', event.type, err);
      return;
    }
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
