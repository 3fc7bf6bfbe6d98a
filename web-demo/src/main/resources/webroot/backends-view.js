// The backends table of the demo page: rows grouped by node under a row with the node's health,
// uptime, hosts and full id (hover, or the copy button); each backend with its uptime, time in its
// current state and the page's round-trip time to it.

import { shortId } from './timeline.js';

/** `45 s`, `3 min 02 s`, `2 h 05 min`. */
export function duration(ms) {
  if (!(ms >= 0)) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** A backend's `/health/live` URL from its WebSocket URL. */
export function healthUrl(wsUrl) {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/health/live';
  u.search = '';
  return u.href;
}

/** When each backend entered its current state (UP, DRAINING, suspect) as far as this page saw. */
export class StateClock {
  constructor(now = Date.now) {
    this.now = now;
    this.since = new Map();
  }

  /** Notes the current list; a backend first seen UP counts from its own start. */
  observe(backends) {
    const seen = new Set();
    for (const b of backends) {
      seen.add(b.id);
      const key = b.suspect ? 'suspect' : b.state;
      const was = this.since.get(b.id);
      if (!was) this.since.set(b.id, { key, at: key === 'UP' && b.startedAt > 0 ? b.startedAt : this.now() });
      else if (was.key !== key) this.since.set(b.id, { key, at: this.now() });
    }
    for (const id of [...this.since.keys()]) if (!seen.has(id)) this.since.delete(id);
  }

  /** Milliseconds in the current state, or -1 when unknown. */
  inState(id) {
    const s = this.since.get(id);
    return s ? this.now() - s.at : -1;
  }
}

/**
 * Round trips from the page to each backend: a timed `fetch` of its `/health/live` (no-cors: only the
 * timing counts), at most one in flight per backend.
 */
export class RttProbe {
  constructor(fetchFn = (...a) => globalThis.fetch(...a), clock = () => performance.now()) {
    this.fetch = fetchFn;
    this.clock = clock;
    this.ms = new Map();
    this.busy = new Set();
  }

  probe(backends) {
    for (const b of backends) {
      if (this.busy.has(b.id)) continue;
      this.busy.add(b.id);
      const start = this.clock();
      this.fetch(healthUrl(b.url), { mode: 'no-cors', cache: 'no-store' })
        .then(() => this.ms.set(b.id, this.clock() - start), () => this.ms.set(b.id, null))
        .finally(() => this.busy.delete(b.id));
    }
    for (const id of [...this.ms.keys()]) if (!backends.some((b) => b.id === id)) this.ms.delete(id);
  }
}

function cell(text, className, title) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  if (title) td.title = title;
  return td;
}

function button(text, className, title, onClick) {
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: text, className });
  if (title) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Renders the table body.
 * @param {HTMLElement} body the `<tbody>`
 * @param {object[]} backends the list's records
 * @param {object} ctx `{current, now, clock: StateClock, rtt: RttProbe, heartbeat: {id, ms}, fleetOn(id),
 *   nodes: Map(node → admin API row), actions(b) → elements}`
 */
export function renderBackends(body, backends, ctx) {
  body.replaceChildren();
  if (backends.length === 0) {
    body.append(Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="9">no backends</td>' }));
    return;
  }
  const byNode = new Map();
  for (const b of [...backends].sort((x, y) => (x.id < y.id ? -1 : 1))) {
    if (!byNode.has(b.node)) byNode.set(b.node, []);
    byNode.get(b.node).push(b);
  }
  for (const [node, list] of byNode) {
    body.append(nodeRow(node, list, ctx));
    for (const b of list) body.append(backendRow(b, ctx));
  }
}

function nodeRow(node, list, ctx) {
  const info = ctx.nodes.get(node);
  const health = info?.health ?? (list.every((b) => b.suspect) ? 'suspect' : 'alive');
  const started = info?.startedAt ?? Math.min(...list.map((b) => b.startedAt));
  const hosts = info ? `${info.hosts.join(', ')} : ${info.ports.join(', ')}` : [...new Set(list.map((b) => new URL(b.url).host))].join(', ');
  const tr = document.createElement('tr');
  tr.className = `node health-${health}`;
  tr.dataset.node = node;
  const td = document.createElement('td');
  td.colSpan = 9;
  const id = Object.assign(document.createElement('code'), { textContent: shortId(node), title: `${node} (the admin API takes this id or any unique prefix)` });
  const copy = button('copy id', 'copy', `copy ${node}`, () => navigator.clipboard?.writeText(node));
  const badge = Object.assign(document.createElement('span'), { className: `health ${health}`, textContent: health });
  td.append('node ', id, ' ', copy, ' ', badge,
    ` · up ${duration(ctx.now - started)} · ${hosts} · ${list.length} backend${list.length === 1 ? '' : 's'}`);
  if (info?.silentMs > 1000) td.append(` · silent ${duration(info.silentMs)}`);
  tr.append(td);
  return tr;
}

function backendRow(b, ctx) {
  const tr = document.createElement('tr');
  tr.dataset.backend = b.id;
  tr.dataset.node = b.node;
  if (b.id === ctx.current) tr.className = 'current';
  const state = cell(b.state, `state-${b.state}`);
  if (b.suspect) {
    // the coordinator has not heard from its node for a while: listed, but chosen for no new connection
    tr.classList.add('suspect');
    state.append(' ', Object.assign(document.createElement('span'), {
      className: 'badge-suspect', textContent: 'suspect', title: 'its node missed heartbeats: no new connections',
    }));
  }
  state.append(Object.assign(document.createElement('small'), { textContent: ` for ${duration(ctx.clock.inState(b.id))}` }));
  const hb = ctx.heartbeat?.id === b.id ? ctx.heartbeat.ms : null;
  const probe = ctx.rtt.ms.get(b.id);
  const rtt = hb != null ? `${hb.toFixed(1)} ms` : probe != null ? `${probe.toFixed(1)} ms` : probe === null ? 'unreachable' : '…';
  tr.append(cell(b.id), state, cell(`${b.connections} / ${b.capacity}`), cell(String(ctx.fleetOn(b.id)), 'fleet'),
    cell(duration(ctx.now - b.startedAt), 'uptime'),
    cell(rtt, 'rtt', hb != null ? 'the page connection\'s heartbeat round trip' : 'a timed fetch of its /health/live from this page'),
    cell(b.url), cell(b.zone));
  const actions = document.createElement('td');
  actions.append(...ctx.actions(b));
  tr.append(actions);
  return tr;
}

export { button };
