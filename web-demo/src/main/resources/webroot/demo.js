import { Switchboard, BackendList } from './switchboard.js';
import { SeriesStore, renderChart } from './chart.js';
import { Kind, Timeline, adminText, answerText, clientEvent, listChanges, shortId } from './timeline.js';
import { RttProbe, StateClock, button, renderBackends } from './backends-view.js';

const $ = (id) => document.getElementById(id);
/** Timeline entries drawn at most; the rest stay in the buffer, counted as "older hidden". */
const MAX_DRAWN = 400;

const timeline = new Timeline({ capacity: 2000 });
const store = new SeriesStore({ windowMs: 180000 });
const clock = new StateClock();
const rtt = new RttProbe();
const nodes = new Map(); // node id -> row of GET /v1/admin/nodes (with the admin token only)
const demoNodes = new Map(); // node id -> pid, for the backend nodes this demo runs as JVMs of their own
let admin = null;
let current = null;
let heartbeat = null; // {id, ms}: the page connection's last heartbeat round trip

// ---- the timeline: drawn newest first, throttled, filtered by kind ----

const KIND_LABELS = { [Kind.LIST]: 'list changes', [Kind.ADMIN]: 'admin actions', [Kind.FAILURE]: 'failures', [Kind.MOVE]: 'planned moves', [Kind.PAGE]: 'this page' };
let drawPending = false;

function note(event) {
  const entry = timeline.add(event);
  scheduleDraw();
  return entry;
}

function scheduleDraw() {
  if (drawPending) return;
  drawPending = true;
  setTimeout(() => { drawPending = false; drawTimeline(); }, 200);
}

function setUpFilters() {
  for (const [kind, label] of Object.entries(KIND_LABELS)) {
    const box = Object.assign(document.createElement('input'), { type: 'checkbox', checked: true, value: kind });
    box.addEventListener('change', drawTimeline);
    const l = document.createElement('label');
    l.className = `kind-${kind}`;
    l.append(box, ` ${label} `, Object.assign(document.createElement('span'), { id: `count-${kind}`, className: 'count', textContent: '0' }));
    $('timeline-filters').append(l);
  }
}

function drawTimeline() {
  const kinds = new Set([...document.querySelectorAll('#timeline-filters input:checked')].map((b) => b.value));
  const shown = timeline.entries(kinds);
  const items = shown.slice(0, MAX_DRAWN).map((e) => {
    const li = document.createElement('li');
    li.dataset.kind = e.kind;
    const time = new Date(e.at).toLocaleTimeString();
    li.append(Object.assign(document.createElement('time'), { textContent: time }),
      Object.assign(document.createElement('span'), { className: `kind kind-${e.kind}`, textContent: e.kind }),
      ` ${e.text}`);
    if (e.count > 1) {
      li.append(Object.assign(document.createElement('b'), { className: 'times', textContent: ` ×${e.count}` }),
        Object.assign(document.createElement('small'), { textContent: ` until ${new Date(e.lastAt).toLocaleTimeString()}` }));
    }
    return li;
  });
  const hidden = timeline.hidden + Math.max(0, shown.length - MAX_DRAWN);
  if (hidden > 0) items.push(Object.assign(document.createElement('li'), { className: 'hidden-count', textContent: `${hidden} older entries hidden` }));
  $('timeline').replaceChildren(...items);
  for (const kind of Object.values(Kind)) $(`count-${kind}`).textContent = String(timeline.counts[kind]);
  const f = timeline.reasons[Kind.FAILURE];
  const m = timeline.reasons[Kind.MOVE];
  $('fleet-failovers').textContent = String(timeline.counts[Kind.FAILURE]);
  $('fleet-moves').textContent = String(timeline.counts[Kind.MOVE]);
  $('fleet-failovers').title = Object.entries(f).map(([r, n]) => `${r}: ${n}`).join(', ') || 'none';
  $('fleet-moves').title = Object.entries(m).map(([r, n]) => `${r}: ${n}`).join(', ') || 'none';
}

// ---- admin calls: noted when issued (so they precede what they cause), the answer filled in later ----

async function demoCall(method, path) {
  const entry = method === 'GET' ? null : note({ kind: Kind.ADMIN, text: `${adminText(method, path)} …`, key: `${Date.now()} ${path}` });
  try {
    const res = await fetch(path, { method, headers: { Authorization: `Bearer ${admin.token}` } });
    const text = await res.text();
    if (entry) { timeline.update(entry, `${adminText(method, path)} → ${answerText(res.status, text)}`); scheduleDraw(); }
    return JSON.parse(text);
  } catch (e) {
    if (entry) { timeline.update(entry, `${adminText(method, path)} → failed: ${e.message}`); scheduleDraw(); }
    throw e;
  }
}

async function refreshDemoNodes() {
  const { nodes: list } = await demoCall('GET', '/demo/nodes');
  demoNodes.clear();
  for (const n of list) demoNodes.set(n.node, n.pid);
}

async function adminCall(path, body) {
  const what = adminText('POST', path, body);
  const entry = note({ kind: Kind.ADMIN, text: `${what} …`, key: `${Date.now()} ${path}` });
  try {
    const res = await fetch(`${config.coordinators[0]}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    timeline.update(entry, `${what} → ${answerText(res.status, await res.text())}`);
  } catch (e) {
    timeline.update(entry, `${what} → failed: ${e.message}`);
  }
  scheduleDraw();
}

async function refreshNodes() {
  const res = await fetch(`${config.coordinators[0]}/v1/admin/nodes`, { headers: { Authorization: `Bearer ${admin.token}` } });
  if (!res.ok) return;
  nodes.clear();
  for (const n of (await res.json()).nodes) nodes.set(n.node, n);
}

function actions(b) {
  const out = [];
  if (admin && b.state === 'UP') {
    out.push(button('Drain', 'drain', 'move its clients elsewhere within 5 s, then remove it',
      () => adminCall(`/v1/admin/backends/${encodeURIComponent(b.id)}/drain?deadlineMs=5000`)));
  }
  if (admin && demoNodes.has(b.node)) {
    out.push(button('Kill node', 'kill', 'kill -9 of this backend node JVM',
      () => demoCall('POST', `/demo/nodes/${demoNodes.get(b.node)}/kill`).then(refreshDemoNodes)));
  }
  return out;
}

// ---- the list: changes go to the timeline and the chart; the table and the chart redraw on a timer ----

let known = new Map();

function onListChange(e) {
  const after = new Map(e.detail.backends.map((b) => [b.id, b]));
  const now = Date.now();
  // the page's first snapshot is where it starts, not a change
  const first = e.detail.type === 'snapshot' && known.size === 0;
  for (const c of first ? [] : listChanges(known, after, e.detail.removed)) {
    note({ kind: Kind.LIST, text: c.text, key: `${now} ${c.id} ${c.change}` });
    store.mark(now, c.change, c.id);
  }
  known = after;
  clock.observe(e.detail.backends);
  drawBackends();
}

function drawBackends() {
  const backends = [...known.values()];
  renderBackends($('backends'), backends, { current, now: Date.now(), clock, rtt, heartbeat, nodes, actions, fleetOn });
  const suspects = backends.filter((b) => b.suspect).length;
  $('list-status').textContent = `${backends.length} live${suspects ? ` (${suspects} suspect)` : ''}`;
}

function tick() {
  const now = Date.now();
  store.sample(now, [...known.values()]);
  renderChart($('chart'), $('chart-legend'), store, now);
  drawBackends();
}

// ---- client fleet: simulated users sharing one list, to watch the policy spread and the moves ----

const fleet = { clients: [], list: null };

function fleetOn(id) {
  return fleet.clients.filter((c) => c.backend?.id === id).length;
}

function startFleet() {
  for (const c of fleet.clients) c.stop();
  const size = Math.max(0, Math.min(200, Number($('fleet-count').value) || 0));
  const policy = $('fleet-policy').value;
  fleet.clients = Array.from({ length: size }, (_, i) => {
    const c = new Switchboard({ list: fleet.list, policy, key: `user-${i}`, intervalMs: 2000 });
    let closeCode; // the code of the close a `closed` failover follows (the client emits `close` first)
    c.addEventListener('close', (e) => { closeCode = e.detail.code; });
    c.addEventListener('failover', (e) => { note(clientEvent('failover', e.detail, closeCode)); closeCode = undefined; });
    c.addEventListener('move', (e) => note(clientEvent('move', e.detail)));
    return c.start();
  });
  note({ kind: Kind.PAGE, text: `fleet restarted: ${size} clients, ${policy}` });
}

function renderFleet() {
  $('fleet-open').textContent = String(fleet.clients.filter((c) => c.state === 'open').length);
  $('fleet-size').textContent = String(fleet.clients.length);
  for (const td of document.querySelectorAll('#backends tr[data-backend] td.fleet')) {
    td.textContent = String(fleetOn(td.parentElement.dataset.backend));
  }
}

// ---- start ----

setUpFilters();
const config = await (await fetch('config.json')).json();
// the admin settings come only inside the page the demo server served, never from config.json
const adminMeta = document.querySelector('meta[name="switchboard-admin"]')?.content;
admin = adminMeta ? JSON.parse(adminMeta) : null;
const client = new Switchboard({ coordinators: config.coordinators, intervalMs: 1000 });
if (admin) {
  $('controls').hidden = false;
  const scaleBy = (delta) => {
    // the embedded demo names its node; a page for an existing cluster scales the node of the first live backend
    const node = admin.node ?? [...client.backends.values()].find((b) => b.state === 'UP')?.node;
    if (!node) return;
    const mine = [...client.backends.values()].filter((b) => b.node === node && b.state === 'UP');
    adminCall(`/v1/admin/nodes/${encodeURIComponent(shortId(node))}/scale`, { instances: Math.max(0, mine.length + delta) });
  };
  $('scale-up').addEventListener('click', () => scaleBy(1));
  $('scale-down').addEventListener('click', () => scaleBy(-1));
  setInterval(() => refreshNodes().catch(() => {}), 3000);
  refreshNodes().catch(() => {});
  if (admin.nodes) {
    $('node-start').hidden = false;
    $('node-start').addEventListener('click', async () => {
      $('node-start').disabled = true;
      try {
        await demoCall('POST', '/demo/nodes');
        await refreshDemoNodes();
      } finally {
        $('node-start').disabled = false;
      }
    });
    setInterval(() => refreshDemoNodes().catch(() => {}), 2000);
  }
} else {
  $('controls-hint').hidden = false;
}

client.addEventListener('state', (e) => { $('conn-state').textContent = e.detail.state; });
client.addEventListener('open', (e) => {
  current = e.detail.backend.id;
  $('conn-backend').textContent = `${current} (${e.detail.backend.url})`;
  note({ kind: Kind.PAGE, text: `page connected to ${current}` });
});
client.addEventListener('close', (e) => note({ kind: Kind.PAGE, text: `page connection to ${e.detail.backend.id} closed (${e.detail.code})` }));
client.addEventListener('failover', (e) => note({ kind: Kind.PAGE, text: `page failover off ${e.detail.from?.id ?? '—'}: ${e.detail.detail ?? e.detail.reason}` }));
client.addEventListener('move', (e) => note({ kind: Kind.PAGE, text: `page ${e.detail.reason}: ${e.detail.from.id} → ${e.detail.to.id}` }));
let pongs = 0;
client.addEventListener('rtt', (e) => {
  pongs++;
  heartbeat = { id: e.detail.backend.id, ms: e.detail.ms };
  $('rtt').textContent = `${e.detail.ms.toFixed(1)} ms`;
  $('rtt-count').textContent = `${pongs} pongs from ${e.detail.backend.id}`;
});
client.start();
note({ kind: Kind.PAGE, text: `following ${config.coordinators.join(', ')}` });

fleet.list = new BackendList({ coordinators: config.coordinators });
fleet.list.addEventListener('change', onListChange);
fleet.list.start();
$('fleet-policy').addEventListener('change', startFleet);
$('fleet-count').addEventListener('change', startFleet);
startFleet();
setInterval(renderFleet, 500);
setInterval(tick, 1000);
setInterval(() => rtt.probe([...known.values()].filter((b) => b.id !== heartbeat?.id)), 3000);
