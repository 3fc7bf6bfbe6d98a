import { Switchboard } from './switchboard.js';

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

function renderBackends(backends, currentId) {
  const body = $('backends');
  body.replaceChildren();
  if (backends.length === 0) {
    body.append(Object.assign(document.createElement('tr'), { innerHTML: '<td colspan="6">no backends</td>' }));
  }
  for (const b of [...backends].sort((x, y) => (x.id < y.id ? -1 : 1))) {
    const tr = document.createElement('tr');
    tr.dataset.backend = b.id;
    if (b.id === currentId) tr.className = 'current';
    tr.append(cell(b.id), cell(b.state, `state-${b.state}`), cell(`${b.connections} / ${b.capacity}`),
      cell(b.url), cell(b.zone), cell(b.node.slice(0, 8)));
    body.append(tr);
  }
  $('list-status').textContent = `${backends.length} live`;
}

const config = await (await fetch('config.json')).json();
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
client.addEventListener('failover', (e) => log(`failover from ${e.detail.from?.id ?? '—'}: ${e.detail.reason}`));
client.addEventListener('rtt', (e) => {
  pongs++;
  $('rtt').textContent = `${e.detail.ms.toFixed(1)} ms`;
  $('rtt-count').textContent = `${pongs} pongs from ${e.detail.backend.id}`;
});
client.start();
log(`following ${config.coordinators.join(', ')}`);
