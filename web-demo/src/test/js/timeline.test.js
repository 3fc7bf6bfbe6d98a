// The demo page's timeline: grouping of repeats, failures and planned moves counted apart, list changes
// in words, admin actions kept where they were issued, a bounded buffer that counts what it drops.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GOING_AWAY, Kind, Timeline, adminText, answerText, clientEvent, failoverKind, listChanges, shortId } from '../../main/resources/webroot/timeline.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

const rec = (id, extra = {}) => ({ id, node: 'a1b2c3d4-0000-4000-8000-000000000001', state: 'UP', connections: 0, ...extra });

test('repeats of one key within the group window make one counted entry', () => {
  const c = clock();
  const t = new Timeline({ now: c.now, groupMs: 3000 });
  const move = clientEvent('move', { from: { id: 'n1-0' }, to: { id: 'n2-0' }, reason: 'rebalance' });
  for (let i = 0; i < 12; i++) { t.add(move); c.advance(100); }
  t.add(clientEvent('move', { from: { id: 'n1-0' }, to: { id: 'n3-0' }, reason: 'rebalance' }));
  const entries = t.entries();
  assert.equal(entries.length, 2);
  assert.equal(entries[1].count, 12);
  assert.equal(t.counts[Kind.MOVE], 13);
});

test('a repeat after the group window starts a new entry', () => {
  const c = clock();
  const t = new Timeline({ now: c.now, groupMs: 3000 });
  t.add({ kind: Kind.FAILURE, text: 'x' });
  c.advance(3001);
  t.add({ kind: Kind.FAILURE, text: 'x' });
  assert.equal(t.entries().length, 2);
});

test('rebalance moves and the closes at a move deadline are planned moves, not failures', () => {
  const t = new Timeline();
  t.add(clientEvent('move', { from: { id: 'a-0' }, to: { id: 'b-0' }, reason: 'rebalance' }));
  t.add(clientEvent('failover', { from: { id: 'a-0' }, reason: 'closed', detail: 'the connection closed (1001)' }, GOING_AWAY));
  assert.equal(t.counts[Kind.MOVE], 2);
  assert.equal(t.counts[Kind.FAILURE], 0);
});

test('a kill shows as failures: removed, heartbeat timeouts and abnormal closes', () => {
  assert.equal(failoverKind('removed'), Kind.FAILURE);
  assert.equal(failoverKind('heartbeat-timeout'), Kind.FAILURE);
  assert.equal(failoverKind('closed', 1006), Kind.FAILURE);
  assert.equal(failoverKind('closed', undefined), Kind.FAILURE);
  assert.equal(failoverKind('closed', GOING_AWAY), Kind.MOVE);
});

test('an admin action keeps its place when its answer comes after what it caused', () => {
  const t = new Timeline();
  const kill = t.add({ kind: Kind.ADMIN, text: 'kill -9 node JVM (pid 7) …', key: 'k1' });
  t.add(clientEvent('failover', { from: { id: 'a-0' }, reason: 'removed', detail: 'the backend left the list' }));
  t.update(kill, 'kill -9 node JVM (pid 7) → 200 ok');
  const oldestFirst = t.entries().reverse();
  assert.equal(oldestFirst[0].text, 'kill -9 node JVM (pid 7) → 200 ok');
  assert.equal(oldestFirst[1].kind, Kind.FAILURE);
});

test('past capacity the oldest entries are dropped and counted as hidden', () => {
  const t = new Timeline({ capacity: 5 });
  for (let i = 0; i < 8; i++) t.add({ kind: Kind.LIST, text: `change ${i}` });
  assert.equal(t.entries().length, 5);
  assert.equal(t.hidden, 3);
  assert.equal(t.entries()[0].text, 'change 7');
  assert.equal(t.counts[Kind.LIST], 8);
});

test('filters by kind', () => {
  const t = new Timeline();
  t.add({ kind: Kind.LIST, text: 'a' });
  t.add({ kind: Kind.ADMIN, text: 'b' });
  assert.deepEqual(t.entries(new Set([Kind.ADMIN])).map((e) => e.text), ['b']);
});

test('list changes read as words: added, draining, suspect, back, removed with its reason', () => {
  const before = new Map([['a-0', rec('a-0')], ['a-1', rec('a-1')], ['a-2', rec('a-2', { suspect: true })], ['a-3', rec('a-3')]]);
  const after = new Map([['a-0', rec('a-0', { state: 'DRAINING' })], ['a-1', rec('a-1', { suspect: true })], ['a-2', rec('a-2')], ['b-0', rec('b-0')]]);
  const changes = listChanges(before, after, { id: 'a-3', reason: 'node-left' });
  assert.deepEqual(changes.map((c) => `${c.change} ${c.id}`), ['draining a-0', 'suspect a-1', 'back a-2', 'added b-0', 'removed a-3']);
  assert.equal(changes[3].text, 'b-0 added on node a1b2c3d4 (up)');
  assert.equal(changes[4].text, 'a-3 removed (node-left)');
});

test('admin calls and answers read as words with short ids', () => {
  assert.equal(adminText('POST', '/v1/admin/backends/a1b2c3d4-1/drain?deadlineMs=5000'), 'drain a1b2c3d4-1 (deadline 5 s)');
  assert.equal(adminText('POST', '/v1/admin/nodes/a1b2c3d4-0000-4000-8000-000000000001/scale', { instances: 4 }), 'scale node a1b2c3d4 to 4 backends');
  assert.equal(adminText('POST', '/demo/nodes/4242/kill'), 'kill -9 node JVM (pid 4242)');
  assert.equal(answerText(404, '{"error":"no backend x"}'), '404: no backend x');
  assert.equal(answerText(200, '{"node":"a1b2c3d4-0000-4000-8000-000000000001","instances":4}'), '200 ok: 4 backends');
  assert.equal(shortId('a1b2c3d4-0000-4000-8000-000000000001'), 'a1b2c3d4');
  assert.equal(shortId('a1b2c3d4-0'), 'a1b2c3d4-0');
});
