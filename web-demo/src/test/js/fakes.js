// Test doubles for the browser client's injected environment: a clock whose timers run only when the
// test advances it, WebSockets and EventSources the test opens, feeds and breaks by hand.

import { Switchboard } from '../../main/resources/webroot/switchboard.js';

/** A clock and timers that move only on `advance`. */
export class FakeClock {
  constructor(start = 1000) {
    this.t = start;
    this.seq = 0;
    this.timers = new Map(); // handle -> {at, fn, order}
    this.now = () => this.t;
    this.setTimeout = (fn, ms) => {
      const handle = ++this.seq;
      this.timers.set(handle, { at: this.t + Math.max(0, ms ?? 0), fn, order: handle });
      return handle;
    };
    this.clearTimeout = (handle) => { this.timers.delete(handle); };
  }

  /** Moves time forward by `ms`, running every timer that falls due, in order. */
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      let next = null;
      for (const [h, timer] of this.timers) {
        if (timer.at <= end && (!next || timer.at < next[1].at || (timer.at === next[1].at && timer.order < next[1].order))) {
          next = [h, timer];
        }
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = Math.max(this.t, end);
  }

  /** The process stands still for `ms`: time moves, no timer runs; the next `advance` runs those due meanwhile, late. */
  stall(ms) {
    this.t += ms;
  }
}

/** A WebSocket class whose instances the test drives; `FakeWebSocket.all` lists them in creation order. */
export function fakeWebSocketClass() {
  return class FakeWebSocket {
    static all = [];

    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.bufferedAmount = 0;
      this.sent = [];
      this.closedWith = null;
      FakeWebSocket.all.push(this);
    }

    send(text) {
      if (this.readyState !== 1) throw new Error(`send on a socket in state ${this.readyState}`);
      this.sent.push(JSON.parse(text));
    }

    close(code, reason) {
      if (this.closedWith) return;
      this.closedWith = { code, reason };
      this.readyState = 3;
    }

    /** The backend accepts the upgrade and says welcome. */
    accept(welcome = {}) {
      this.readyState = 1;
      this.onopen?.();
      this.frame({ type: 'welcome', session: `s-${FakeWebSocket.all.indexOf(this)}`, ...welcome });
    }

    frame(obj) {
      this.onmessage?.({ data: typeof obj === 'string' ? obj : JSON.stringify(obj) });
    }

    /** The socket closes from the far side (or never opened, with `opened` false). */
    drop(code = 1006, opened = this.readyState === 1) {
      if (!opened) this.readyState = 3;
      this.readyState = 3;
      this.onclose?.({ code, reason: '' });
    }

    /** Frames of `type` sent by the client. */
    sentOf(type) {
      return this.sent.filter((f) => f.type === type);
    }
  };
}

class FakeMessageEvent extends Event {
  constructor(type, data, lastEventId = '') {
    super(type);
    this.data = data;
    this.lastEventId = lastEventId;
  }
}

/** An EventSource class the test feeds; `FakeEventSource.all` lists the instances. */
export function fakeEventSourceClass() {
  return class FakeEventSource extends EventTarget {
    static all = [];

    constructor(url) {
      super();
      this.url = url;
      this.readyState = 0;
      this.closed = false;
      FakeEventSource.all.push(this);
    }

    static get last() {
      return FakeEventSource.all[FakeEventSource.all.length - 1];
    }

    close() {
      this.closed = true;
      this.readyState = 2;
    }

    open() {
      this.readyState = 1;
      this.dispatchEvent(new Event('open'));
    }

    emit(type, data, id = '') {
      this.dispatchEvent(new FakeMessageEvent(type, typeof data === 'string' ? data : JSON.stringify(data), id));
    }

    snapshot(backends, id = 'e-1') {
      this.emit('snapshot', { backends }, id);
    }

    fail() {
      this.onerror?.(new Event('error'));
    }
  };
}

/** A list record. */
export function backend(id, extra = {}) {
  return { id, service: 'chat', url: `ws://${id}.test/ws`, state: 'UP', zone: 'z', node: `n-${id}`,
    connections: 0, capacity: 1000, weight: 1, startedAt: 0, ...extra };
}

/**
 * A started client on fakes, with its list streaming `backends`. Returns {sb, clock, ws (the class),
 * es (the class), events: [{type, detail}], reports: [urls fetched]}.
 */
export function startClient(options = {}, backends = [backend('a'), backend('b'), backend('c')]) {
  const clock = new FakeClock();
  const ws = fakeWebSocketClass();
  const es = fakeEventSourceClass();
  const fetched = [];
  let r = 0.5;
  const sb = new Switchboard({
    coordinators: ['http://c1.test', 'http://c2.test'], WebSocket: ws, EventSource: es,
    now: clock.now, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout,
    random: () => r, fetch: (url) => { fetched.push(url); return new Promise(() => {}); },
    ...options,
  });
  const events = [];
  for (const type of ['state', 'open', 'close', 'failover', 'move', 'message', 'rtt', 'backends']) {
    sb.addEventListener(type, (e) => events.push({ type, detail: e.detail }));
  }
  sb.start();
  es.last.open();
  es.last.snapshot(backends);
  return { sb, clock, ws, es, events, fetched, setRandom: (v) => { r = v; }, of: (type) => events.filter((e) => e.type === type).map((e) => e.detail) };
}

/** Lets promise callbacks run. */
export function settle() {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The backend id a fake socket dials (its URL's host). */
export function idOf(socket) {
  return new URL(socket.url).hostname.replace(/\.test$/, '');
}
