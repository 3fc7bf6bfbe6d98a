// The environment the client runs in — WebSocket, EventSource, fetch, clock, timers, random — read once
// from the options (each defaults to the browser's own), so tests can drive time and failures.

/** The environment from `options`, every missing part taken from globalThis. */
export function environment(options = {}) {
  return {
    WebSocket: options.WebSocket ?? globalThis.WebSocket,
    EventSource: options.EventSource ?? globalThis.EventSource,
    fetch: options.fetch ?? globalThis.fetch?.bind(globalThis),
    now: options.now ?? (() => performance.now()),
    random: options.random ?? Math.random,
    setTimeout: options.setTimeout ?? globalThis.setTimeout.bind(globalThis),
    clearTimeout: options.clearTimeout ?? globalThis.clearTimeout.bind(globalThis),
  };
}

/** One-shot timers that can all be cancelled at once (on stop). */
export class Timers {
  constructor(env) {
    this.env = env;
    this.pending = new Set();
  }

  /** Runs `fn` after `ms`; returns a handle for `cancel`. */
  later(ms, fn) {
    const t = this.env.setTimeout(() => {
      this.pending.delete(t);
      fn();
    }, ms);
    this.pending.add(t);
    return t;
  }

  cancel(t) {
    if (t == null) return;
    this.env.clearTimeout(t);
    this.pending.delete(t);
  }

  cancelAll() {
    for (const t of this.pending) this.env.clearTimeout(t);
    this.pending.clear();
  }
}
