import { Switchboard, BackendList } from './switchboard.js';

const $ = (id) => document.getElementById(id);
const MAX_LOG = 50;

function log(text) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('log').prepend(li);
  while ($('log').children.length > MAX_LOG) $('log').lastChild.remove();
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

let admin = null;
const demoNodes = new Map(); // node id -> pid, for the backend nodes this demo runs as JVMs of their own

/** Calls the demo page server's own node API (embedded demo only); logs the outcome. */
async function demoCall(method, path) {
  const res = await fetch(path, { method, headers: { Authorization: `Bearer ${admin.token}` } });
  const body = await res.json();
  if (method !== 'GET') log(`${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function refreshDemoNodes() {
  const { nodes } = await demoCall('GET', '/demo/nodes');
  demoNodes.clear();
  for (const n of nodes) demoNodes.set(n.node, n.pid);
}

/** Calls the coordinator's admin API (embedded demo only); logs the outcome. */
async function adminCall(path, body) {
  const res = await fetch(`${config.coordinators[0]}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  log(`${path} → ${res.status} ${text}`);
}

function renderBackends(backends, currentId) {
  const body = $('backends');
  body.replaceChildren();
  if (backends.length === 0) {
    body.append(Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="8">no backends</td>' }));
  }
  for (const b of [...backends].sort((x, y) => (x.id < y.id ? -1 : 1))) {
    const tr = document.createElement('tr');
    tr.dataset.backend = b.id;
    if (b.id === currentId) tr.className = 'current';
    const state = cell(b.state, `state-${b.state}`);
    if (b.suspect) {
      // the coordinator has not heard from its node for a while: listed, but chosen for no new connection
      tr.classList.add('suspect');
      state.append(' ', Object.assign(document.createElement('span'), {
        className: 'badge-suspect', textContent: 'suspect', title: 'its node missed heartbeats: no new connections',
      }));
    }
    tr.append(cell(b.id), state, cell(`${b.connections} / ${b.capacity}`),
      cell(String(fleetOn(b.id)), 'fleet'), cell(b.url), cell(b.zone), cell(b.node.slice(0, 8)));
    const actions = document.createElement('td');
    if (admin && b.state === 'UP') {
      const drain = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Drain' });
      drain.className = 'drain';
      drain.addEventListener('click', () => adminCall(`/v1/admin/backends/${encodeURIComponent(b.id)}/drain?deadlineMs=5000`));
      actions.append(drain);
    }
    if (admin && demoNodes.has(b.node)) {
      const kill = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Kill node' });
      kill.className = 'kill';
      kill.title = 'kill -9 of this backend node JVM';
      kill.addEventListener('click', () => demoCall('POST', `/demo/nodes/${demoNodes.get(b.node)}/kill`).then(refreshDemoNodes));
      actions.append(kill);
    }
    tr.append(actions);
    body.append(tr);
  }
  const suspects = backends.filter((b) => b.suspect).length;
  $('list-status').textContent = `${backends.length} live${suspects ? ` (${suspects} suspect)` : ''}`;
}

// ---- client fleet: simulated users sharing one list, to watch the policy spread and the failovers ----

// failures (a backend died or vanished) and planned moves (drain, rebalance) are counted apart
const fleet = { clients: [], failovers: 0, moves: 0, list: null };

function fleetOn(id) {
  return fleet.clients.filter((c) => c.backend?.id === id).length;
}

function startFleet() {
  for (const c of fleet.clients) c.stop();
  const size = Math.max(0, Math.min(200, Number($('fleet-count').value) || 0));
  const policy = $('fleet-policy').value;
  fleet.clients = Array.from({ length: size }, (_, i) => {
    const c = new Switchboard({ list: fleet.list, policy, key: `user-${i}`, intervalMs: 2000 });
    c.addEventListener('failover', (e) => {
      fleet.failovers++;
      log(`fleet user-${i}: failover, ${e.detail.reason} (off ${e.detail.from?.id ?? '—'})`);
    });
    c.addEventListener('move', (e) => {
      fleet.moves++;
      log(`fleet user-${i}: ${e.detail.reason} move ${e.detail.from.id} → ${e.detail.to.id}`);
    });
    return c.start();
  });
  log(`fleet: ${size} clients, ${policy}`);
}

function renderFleet() {
  $('fleet-open').textContent = String(fleet.clients.filter((c) => c.state === 'open').length);
  $('fleet-size').textContent = String(fleet.clients.length);
  $('fleet-failovers').textContent = String(fleet.failovers);
  $('fleet-moves').textContent = String(fleet.moves);
  for (const td of document.querySelectorAll('#backends tr[data-backend] td.fleet')) {
    td.textContent = String(fleetOn(td.parentElement.dataset.backend));
  }
}

const config = await (await fetch('config.json')).json();
// the admin settings come only inside the page the demo server served, never from config.json
const adminMeta = document.querySelector('meta[name="switchboard-admin"]')?.content;
admin = adminMeta ? JSON.parse(adminMeta) : null;
if (admin) {
  $('controls').hidden = false;
  const scaleBy = (delta) => {
    // the embedded demo names its node; a page for an existing cluster scales the node of the first live backend
    const node = admin.node ?? [...client.backends.values()].find((b) => b.state === 'UP')?.node;
    if (!node) return;
    const mine = [...client.backends.values()].filter((b) => b.node === node && b.state === 'UP');
    adminCall(`/v1/admin/nodes/${encodeURIComponent(node)}/scale`, { instances: Math.max(0, mine.length + delta) });
  };
  $('scale-up').addEventListener('click', () => scaleBy(1));
  $('scale-down').addEventListener('click', () => scaleBy(-1));
  if (admin.nodes) {
    $('node-start').hidden = false;
    $('node-start').addEventListener('click', async () => {
      $('node-start').disabled = true;
      log('starting a backend node JVM…');
      try {
        await demoCall('POST', '/demo/nodes');
        await refreshDemoNodes();
      } finally {
        $('node-start').disabled = false;
      }
    });
    setInterval(() => refreshDemoNodes().catch(() => {}), 2000);
  }
}
const client = new Switchboard({ coordinators: config.coordinators, intervalMs: 1000 });
let current = null;
let pongs = 0;

client.addEventListener('backends', (e) => renderBackends(e.detail, current));
client.addEventListener('state', (e) => { $('conn-state').textContent = e.detail.state; });
client.addEventListener('open', (e) => {
  current = e.detail.backend.id;
  $('conn-backend').textContent = `${current} (${e.detail.backend.url})`;
  renderBackends([...client.backends.values()], current);
  log(`connected to ${current}`);
});
client.addEventListener('close', (e) => log(`connection to ${e.detail.backend.id} closed (${e.detail.code})`));
client.addEventListener('failover', (e) => log(`failover from ${e.detail.from?.id ?? '—'}: ${e.detail.reason} (${e.detail.detail})`));
client.addEventListener('move', (e) => log(`${e.detail.reason} move ${e.detail.from.id} → ${e.detail.to.id}`));
client.addEventListener('rtt', (e) => {
  pongs++;
  $('rtt').textContent = `${e.detail.ms.toFixed(1)} ms`;
  $('rtt-count').textContent = `${pongs} pongs from ${e.detail.backend.id}`;
});
client.start();
log(`following ${config.coordinators.join(', ')}`);

fleet.list = new BackendList({ coordinators: config.coordinators });
$('fleet-policy').addEventListener('change', startFleet);
$('fleet-count').addEventListener('change', startFleet);
startFleet();
setInterval(renderFleet, 500);
