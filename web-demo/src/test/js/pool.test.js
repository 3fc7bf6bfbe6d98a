// The pool's transitions on fakes: connect, drain move, primary lost with and without a standby,
// offline and recovery, stop/start, heartbeats. No real time: the fake clock moves.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MoveReason, State } from '../../main/resources/webroot/switchboard.js';
import { pingInterval } from '../../main/resources/webroot/connection.js';
import { backend, idOf, settle, startClient } from './fakes.js';

console.debug = () => {};

test('a welcome opens the pool and the state goes connecting → open', () => {
  const { sb, ws, of } = startClient();
  assert.equal(ws.all.length, 1);
  assert.equal(sb.state, State.CONNECTING);
  ws.all[0].accept();
  assert.equal(sb.state, State.OPEN);
  assert.equal(sb.backend.id, idOf(ws.all[0]));
  assert.deepEqual(of('state').map((s) => s.state), ['connecting', 'open']);
});

test('a drain moves make-before-break: the new connection joins the rooms from the last seq, then the old one closes', async () => {
  const { sb, clock, ws, of } = startClient();
  const first = ws.all[0];
  first.accept();
  const joined = sb.join('r');
  first.frame({ type: 'joined', room: 'r', seq: 4 });
  assert.equal(await joined, 4);
  first.frame({ type: 'message', room: 'r', seq: 5, data: 'x' });
  first.frame({ type: 'drain', deadlineMs: 1000 });
  clock.advance(500);
  assert.equal(ws.all.length, 2, 'the replacement is dialed');
  const next = ws.all[1];
  assert.notEqual(idOf(next), idOf(first));
  assert.match(next.url, /\?moved=drain$/);
  assert.deepEqual(of('move').map((m) => [m.from.id, m.to.id, m.reason]), [[idOf(first), idOf(next), MoveReason.DRAIN]]);
  next.accept();
  assert.deepEqual(next.sentOf('join'), [{ type: 'join', room: 'r', since: 5 }]);
  assert.equal(first.closedWith, null, 'the old connection stays until the rooms are joined');
  first.frame({ type: 'message', room: 'r', seq: 6, data: 'y' });
  next.frame({ type: 'joined', room: 'r', seq: 5 });
  assert.equal(sb.backend.id, idOf(next));
  assert.deepEqual(first.closedWith, { code: 1000, reason: 'moved' });
  next.frame({ type: 'message', room: 'r', seq: 6, data: 'y' });
  next.frame({ type: 'message', room: 'r', seq: 7, data: 'z' });
  assert.deepEqual(of('message').map((m) => m.seq), [5, 6, 7], 'each message once, in order');
  assert.deepEqual(of('failover'), [], 'a planned move is no failure');
});

test('a drain whose deadline closes the old connection mid-move carries on as the refill, with no failover', () => {
  const { sb, clock, ws, of } = startClient();
  ws.all[0].accept();
  ws.all[0].frame({ type: 'drain', deadlineMs: 1000 });
  clock.advance(500);
  ws.all[0].drop(1001);
  assert.deepEqual(of('failover'), []);
  ws.all[1].accept();
  assert.equal(sb.backend.id, idOf(ws.all[1]));
  assert.equal(ws.all.length, 2, 'no second refill beside the replacement');
});

test('the primary lost with a standby: the standby takes over at once, rooms rejoined from the last seq, unacked publishes resent', async () => {
  const { sb, ws, of } = startClient({ connections: 2 });
  assert.equal(ws.all.length, 2);
  ws.all[0].accept();
  ws.all[1].accept();
  const [primary, standby] = ws.all;
  sb.join('r');
  primary.frame({ type: 'joined', room: 'r', seq: 9 });
  const acked = sb.publish('r', 'hello');
  const { id } = primary.sentOf('publish')[0];
  primary.drop(1006);
  assert.deepEqual(of('failover').map((f) => [f.from.id, f.reason]), [[idOf(primary), MoveReason.CLOSED]]);
  assert.equal(sb.backend.id, idOf(standby));
  assert.deepEqual(standby.sentOf('join'), [{ type: 'join', room: 'r', since: 9 }]);
  assert.deepEqual(standby.sentOf('publish'), [{ type: 'publish', room: 'r', id, data: 'hello' }]);
  standby.frame({ type: 'ack', id, seq: 10 });
  assert.equal(await acked, 10);
  assert.equal(ws.all.length, 3, 'a refill to the third backend');
  assert.equal(idOf(ws.all[2]), ['a', 'b', 'c'].find((b) => b !== idOf(primary) && b !== idOf(standby)));
  assert.match(ws.all[2].url, /\?moved=closed$/);
  assert.equal(sb.state, State.DEGRADED);
  ws.all[2].accept();
  assert.equal(sb.state, State.OPEN);
});

test('the primary lost without a standby: the refill goes elsewhere and the lost backend is not retried while another is listed', () => {
  const { sb, clock, ws, of } = startClient({ baseMs: 100, maxMs: 5000 }, [backend('a'), backend('b')]);
  const first = ws.all[0];
  first.accept();
  first.drop(1006);
  assert.equal(of('failover').length, 1);
  assert.equal(sb.state, State.CONNECTING);
  const other = idOf(first) === 'a' ? 'b' : 'a';
  assert.equal(idOf(ws.all[1]), other);
  ws.all[1].drop(1006, false); // the other refuses too
  clock.advance(200);
  assert.equal(idOf(ws.all[2]), other, 'the lost backend stays out while another is listed');
});

test('with one backend listed the lost one is all there is, and is tried again', () => {
  const { clock, ws } = startClient({ baseMs: 100 }, [backend('a')]);
  ws.all[0].accept();
  ws.all[0].drop(1006);
  clock.advance(1);
  assert.equal(idOf(ws.all[1]), 'a');
});

test('a backend removed from the list is failed over at once with reason removed; one removed as unreachable is kept', () => {
  const { sb, es, ws, of } = startClient({ connections: 2 });
  ws.all[0].accept();
  ws.all[1].accept();
  const [p, s] = ws.all.map(idOf);
  es.last.emit('remove', { id: s, reason: 'unreachable' }, 'e-2');
  assert.deepEqual(of('failover'), []);
  assert.deepEqual(sb.connected.map((b) => b.id), [p, s]);
  es.last.emit('remove', { id: p, reason: 'deregistered' }, 'e-3');
  assert.deepEqual(of('failover').map((f) => [f.from.id, f.reason]), [[p, MoveReason.REMOVED]]);
  assert.equal(sb.backend.id, s);
});

test('offline after repeated failures, and back to open when a backend answers', () => {
  const { sb, clock, ws } = startClient({ baseMs: 100, maxMs: 400 });
  for (let i = 0; i < 3; i++) {
    ws.all[ws.all.length - 1].drop(1006, false);
    clock.advance(400);
  }
  assert.equal(sb.state, State.OFFLINE);
  ws.all[ws.all.length - 1].accept();
  assert.equal(sb.state, State.OPEN);
});

test('no welcome within timeoutMs fails the attempt and reports the backend', () => {
  const { sb, clock, ws, fetched } = startClient({ timeoutMs: 1000, baseMs: 100, maxMs: 100 });
  ws.all[0].readyState = 1;
  ws.all[0].onopen();
  clock.advance(1600);
  assert.equal(ws.all[0].closedWith.reason, 'abandoned');
  assert.ok(ws.all.length >= 2, 'retried');
  assert.ok(fetched.some((u) => u.includes(`/v1/backends/${idOf(ws.all[0])}/reports`)), fetched.join());
  assert.notEqual(sb.state, State.OPEN);
});

test('stop rejects what is pending and start refills the pool', async () => {
  const { sb, clock, ws, es } = startClient();
  ws.all[0].drop(1006, false); // a failure: a retry timer is pending at stop
  const joining = sb.join('r');
  sb.stop();
  await assert.rejects(joining, { code: 'stopped' });
  assert.equal(sb.state, State.OFFLINE);
  const before = ws.all.length;
  clock.advance(30000);
  assert.equal(ws.all.length, before, 'a stopped client dials nothing');
  assert.equal(es.all.length, 1, 'and follows no list');
  sb.start();
  es.last.open();
  es.last.snapshot([backend('a'), backend('b'), backend('c')], 'e-9');
  assert.equal(ws.all.length, before + 1, 'the pool refills after a restart');
  ws.all[ws.all.length - 1].accept();
  assert.equal(sb.state, State.OPEN);
});

test('an explicit intervalMs sets the ping interval; a missed pong fails over with heartbeat-timeout', () => {
  const { clock, ws, of } = startClient({ intervalMs: 100, timeoutMs: 400 });
  ws.all[0].accept({ heartbeatMs: 5000 });
  clock.advance(150);
  assert.equal(ws.all[0].sentOf('ping').length, 1);
  const { id } = ws.all[0].sentOf('ping')[0];
  ws.all[0].frame({ type: 'pong', id });
  assert.equal(of('rtt').length, 1);
  clock.advance(1000);
  assert.deepEqual(of('failover').map((f) => f.reason), [MoveReason.HEARTBEAT_TIMEOUT]);
});

test("the client's own stall is not counted against a ping that is out; a silent backend still fails over", () => {
  const { clock, ws, of } = startClient({ intervalMs: 100, timeoutMs: 400 });
  ws.all[0].accept({ heartbeatMs: 5000 });
  clock.advance(150);
  assert.equal(ws.all[0].sentOf('ping').length, 1);
  // a throttled tab: time moves 2 s with no timer run; the heartbeat round due meanwhile runs late
  clock.stall(2000);
  clock.advance(0);
  assert.deepEqual(of('failover'), [], 'not the backend\'s fault');
  ws.all[0].frame({ type: 'pong', id: ws.all[0].sentOf('ping')[0].id });
  clock.advance(150);
  assert.equal(ws.all[0].sentOf('ping').length, 2);
  clock.advance(1000);
  assert.deepEqual(of('failover').map((f) => f.reason), [MoveReason.HEARTBEAT_TIMEOUT]);
});

test("without intervalMs the backend's welcome.heartbeatMs is the ping interval", () => {
  const { clock, ws } = startClient({ timeoutMs: 10000 });
  ws.all[0].accept({ heartbeatMs: 5000 });
  clock.advance(4000);
  assert.equal(ws.all[0].sentOf('ping').length, 0, 'not at the 2000 ms default');
  clock.advance(2000);
  assert.equal(ws.all[0].sentOf('ping').length, 1);
});

test('a welcome without heartbeatMs falls back to the default interval', () => {
  const { clock, ws } = startClient({ timeoutMs: 10000 });
  ws.all[0].accept();
  clock.advance(2100);
  assert.equal(ws.all[0].sentOf('ping').length, 1);
});

test('the ping interval is the option when set, else the welcome\'s within 50 ms – 5 min, else the default (the Java rule too)', () => {
  assert.equal(pingInterval(1000, 5000, 2000), 1000, 'set: the option, even when the backend asks slower');
  assert.equal(pingInterval(1000, 300, 2000), 1000, 'set: the option, even when the backend asks faster');
  assert.equal(pingInterval(null, 5000, 2000), 5000, "not set: the backend's");
  assert.equal(pingInterval(null, 300, 2000), 300);
  assert.equal(pingInterval(null, 49, 2000), 2000, 'below 50 ms: ignored');
  assert.equal(pingInterval(null, 300001, 2000), 2000, 'above 5 min: ignored');
  assert.equal(pingInterval(null, undefined, 2000), 2000, 'none: the default');
  assert.equal(pingInterval(null, '5000', 2000), 2000, 'not a number: the default');
});

test('the ticket function is asked before every attempt', async () => {
  let asked = 0;
  const { clock, ws } = startClient({ ticket: () => `t${++asked}`, baseMs: 10, maxMs: 10 });
  await settle();
  assert.match(ws.all[0].url, /\?ticket=t1$/);
  ws.all[0].drop(1006, false);
  clock.advance(20);
  assert.match(ws.all[1].url, /\?ticket=t2$/);
});

test('a rebalance moves to the first preferred backend that is usable', () => {
  const { clock, ws, of } = startClient();
  ws.all[0].accept();
  const others = ['a', 'b', 'c'].filter((b) => b !== idOf(ws.all[0]));
  ws.all[0].frame({ type: 'drain', reason: 'rebalance', deadlineMs: 100, prefer: ['nope', others[1], others[0]] });
  clock.advance(100);
  assert.deepEqual(of('move').map((m) => [m.to.id, m.reason]), [[others[1], MoveReason.REBALANCE]]);
  assert.match(ws.all[1].url, /\?moved=rebalance$/);
});

test('a rebalance the pool cannot follow is answered with stay, a drain is not', () => {
  const { clock, ws, of } = startClient({ connections: 2 }, [backend('a'), backend('b')]);
  ws.all[0].accept();
  ws.all[1].accept();
  ws.all[0].frame({ type: 'drain', reason: 'rebalance', deadlineMs: 100, prefer: [idOf(ws.all[1])] });
  clock.advance(100);
  assert.equal(ws.all[0].sentOf('stay').length, 1, 'the only other backend holds our other connection');
  assert.equal(ws.all.length, 2, 'no attempt anywhere');
  assert.deepEqual(of('move'), []);
  ws.all[1].frame({ type: 'drain', reason: 'drain', deadlineMs: 100 });
  clock.advance(100);
  assert.equal(ws.all[1].sentOf('stay').length, 0, 'a draining backend is leaving: no stay');
});

test('a coordinator switch keeps the pool: the next coordinator resumes from the last event id, its snapshot changes nothing', () => {
  const { sb, clock, es, ws, of } = startClient();
  ws.all[0].accept();
  const held = sb.backend.id;
  es.last.fail();
  clock.advance(100);
  assert.equal(es.all.length, 2);
  assert.match(es.last.url, /lastEventId=e-1/);
  assert.notEqual(new URL(es.all[1].url).host, new URL(es.all[0].url).host);
  assert.equal(sb.state, State.OPEN, 'the last known list stays in use');
  es.last.open();
  es.last.snapshot([backend('a'), backend('b'), backend('c')], 'f-1');
  assert.equal(sb.backend.id, held);
  assert.deepEqual(of('failover'), []);
  assert.equal(ws.all.length, 1);
});

test('a silent list stream moves to the next coordinator without touching the pool', () => {
  const { sb, clock, es, ws } = startClient({ timeoutMs: 600000, intervalMs: 600000 });
  ws.all[0].accept();
  clock.advance(31000);
  assert.equal(es.all[0].closed, true);
  clock.advance(100);
  assert.equal(es.all.length, 2);
  assert.equal(sb.state, State.OPEN);
  assert.equal(ws.all.length, 1);
});

test('a replacement whose rejoins go unanswered takes over after requestTimeoutMs, not at the drain deadline', () => {
  const { sb, clock, ws } = startClient({ requestTimeoutMs: 2000, intervalMs: 500, timeoutMs: 600000 });
  ws.all[0].accept();
  sb.join('r');
  ws.all[0].frame({ type: 'joined', room: 'r', seq: 1 });
  ws.all[0].frame({ type: 'drain', deadlineMs: 60000 });
  clock.advance(30000);
  ws.all[1].accept();
  clock.advance(1000);
  assert.equal(sb.backend.id, idOf(ws.all[0]), 'still waiting for the rejoin');
  clock.advance(1600);
  assert.equal(sb.backend.id, idOf(ws.all[1]));
  assert.equal(ws.all[0].closedWith.reason, 'moved');
});
