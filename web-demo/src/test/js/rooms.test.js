// Joins, publishes, dedupe and the send queue on fakes: every promise settles — on its answer, on its
// error frame, or after requestTimeoutMs with a backend that never answers.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClientErrorCode, ErrorCode, ForbiddenError, RequestError } from '../../main/resources/webroot/switchboard.js';
import { startClient } from './fakes.js';

console.debug = () => {};

test('a join refused by an error frame rejects with its code and room, and leaves no trace', async () => {
  const { sb, ws } = startClient({ connections: 2 });
  ws.all[0].accept();
  ws.all[1].accept();
  const joining = sb.join('lobby');
  ws.all[0].frame({ type: 'error', code: ErrorCode.TOO_MANY_ROOMS, message: 'connection cap: 100 rooms', room: 'lobby' });
  await assert.rejects(joining, (e) => e instanceof RequestError && e.code === 'too-many-rooms' && e.room === 'lobby');
  ws.all[0].drop(1006); // the standby takes over: it rejoins nothing
  assert.deepEqual(ws.all[1].sentOf('join'), []);
});

test('a forbidden join rejects with a ForbiddenError', async () => {
  const { sb, ws } = startClient();
  ws.all[0].accept();
  const joining = sb.join('admin');
  ws.all[0].frame({ type: 'error', code: 'forbidden', message: "not allowed to join room 'admin'", room: 'admin' });
  await assert.rejects(joining, (e) => e instanceof ForbiddenError && e.code === 'forbidden' && e.room === 'admin');
});

test('history-gap after a joined does not reject the join', async () => {
  const { sb, ws } = startClient();
  ws.all[0].accept();
  const joining = sb.join('r');
  ws.all[0].frame({ type: 'joined', room: 'r', seq: 3 });
  ws.all[0].frame({ type: 'error', code: 'history-gap', message: 'room r keeps seq 10..', room: 'r' });
  assert.equal(await joining, 3);
  ws.all[0].frame({ type: 'message', room: 'r', seq: 10, data: 1 });
});

test('a join a backend never answers rejects after requestTimeoutMs and is not rejoined later', async () => {
  const { sb, clock, ws } = startClient({ requestTimeoutMs: 3000, connections: 2 });
  ws.all[0].accept();
  ws.all[1].accept();
  const joining = sb.join('r');
  clock.advance(2999);
  let settled = false;
  joining.catch(() => { settled = true; });
  await Promise.resolve();
  assert.equal(settled, false);
  clock.advance(1);
  await assert.rejects(joining, { code: ClientErrorCode.TIMEOUT, room: 'r' });
  ws.all[0].drop(1006);
  assert.deepEqual(ws.all[1].sentOf('join'), []);
});

test('a join made while nothing is open is sent once a connection opens, and times out if none does', async () => {
  const { sb, clock, ws } = startClient({ requestTimeoutMs: 5000 });
  const early = sb.join('r');
  ws.all[0].accept();
  assert.deepEqual(ws.all[0].sentOf('join'), [{ type: 'join', room: 'r' }]);
  ws.all[0].frame({ type: 'joined', room: 'r', seq: -1 });
  assert.equal(await early, -1);
  ws.all[0].drop(1006, true);
  const late = sb.publish('r', 'x');
  clock.advance(5000);
  await assert.rejects(late, { code: ClientErrorCode.TIMEOUT });
});

test('a publish answered by an error frame with its id rejects; others stay pending and are acked', async () => {
  const { sb, ws } = startClient();
  ws.all[0].accept();
  const one = sb.publish('r', 1);
  const two = sb.publish('r', 2);
  const [a, b] = ws.all[0].sentOf('publish').map((f) => f.id);
  ws.all[0].frame({ type: 'error', code: ErrorCode.PUBLISH_FAILED, message: 'not stored', room: 'r', id: a });
  await assert.rejects(one, { code: 'publish-failed', room: 'r', id: a });
  ws.all[0].frame({ type: 'ack', id: b, seq: 7 });
  assert.equal(await two, 7);
});

test('a publish a backend never acks rejects after requestTimeoutMs and is not resent on failover', async () => {
  const { sb, clock, ws } = startClient({ requestTimeoutMs: 2000, connections: 2 });
  ws.all[0].accept();
  ws.all[1].accept();
  const pending = sb.publish('r', 'x');
  clock.advance(2000);
  await assert.rejects(pending, { code: ClientErrorCode.TIMEOUT });
  ws.all[0].drop(1006);
  assert.deepEqual(ws.all[1].sentOf('publish'), []);
});

test('more unacked publishes than queueSize are refused with queue-full', async () => {
  const { sb } = startClient({ queueSize: 2 });
  sb.publish('r', 1).catch(() => {});
  sb.publish('r', 2).catch(() => {});
  await assert.rejects(sb.publish('r', 3), { code: ClientErrorCode.QUEUE_FULL });
  sb.stop();
});

test('the send queue is bounded while nothing is open and flushed in order on open', () => {
  const { sb, ws } = startClient({ queueSize: 3 });
  assert.equal(sb.send({ n: 1 }), true);
  assert.equal(sb.send({ n: 2 }), true);
  assert.equal(sb.send({ n: 3 }), true);
  assert.equal(sb.send({ n: 4 }), false, 'a full queue refuses');
  ws.all[0].accept();
  assert.deepEqual(ws.all[0].sent.map((f) => f.n), [1, 2, 3]);
  assert.equal(sb.send({ n: 5 }), true);
  assert.deepEqual(ws.all[0].sent.at(-1), { n: 5 });
});

test('repeated and old room messages are delivered once', () => {
  const { sb, ws, of } = startClient();
  ws.all[0].accept();
  sb.join('r');
  ws.all[0].frame({ type: 'joined', room: 'r', seq: 1 });
  for (const seq of [2, 2, 1, 3, 3]) ws.all[0].frame({ type: 'message', room: 'r', seq, data: seq });
  ws.all[0].frame({ type: 'message', room: 'other', seq: 9, data: 0 });
  assert.deepEqual(of('message').map((m) => m.seq), [2, 3]);
});

test('a joined with a seq below the since sent means the room began again: its new messages are delivered', () => {
  const { sb, ws, of } = startClient({ connections: 2 });
  ws.all[0].accept();
  ws.all[1].accept();
  sb.join('r');
  ws.all[0].frame({ type: 'joined', room: 'r', seq: 40 });
  ws.all[0].frame({ type: 'message', room: 'r', seq: 41, data: 'old' });
  ws.all[0].drop(1006);
  assert.deepEqual(ws.all[1].sentOf('join'), [{ type: 'join', room: 'r', since: 41 }]);
  ws.all[1].frame({ type: 'joined', room: 'r', seq: -1 }); // destroyed after its TTL and begun again
  ws.all[1].frame({ type: 'message', room: 'r', seq: 0, data: 'new' });
  ws.all[1].frame({ type: 'message', room: 'r', seq: 1, data: 'newer' });
  assert.deepEqual(of('message').map((m) => m.data), ['old', 'new', 'newer']);
});

test('a join made while a replacement joins the rooms reaches the replacement too', () => {
  const { sb, clock, ws } = startClient();
  ws.all[0].accept();
  sb.join('a-room');
  ws.all[0].frame({ type: 'joined', room: 'a-room', seq: 0 });
  ws.all[0].frame({ type: 'drain', deadlineMs: 100 });
  clock.advance(100);
  ws.all[1].accept();
  sb.join('b-room');
  assert.deepEqual(ws.all[1].sentOf('join').map((j) => j.room), ['a-room', 'b-room']);
});

test('a rejoin refused for now keeps the room: the move goes on and the next primary is asked again', () => {
  const { sb, clock, ws } = startClient({ connections: 2 });
  ws.all[0].accept();
  ws.all[1].accept();
  sb.join('r');
  ws.all[0].frame({ type: 'joined', room: 'r', seq: 5 });
  ws.all[0].drop(1006);
  assert.deepEqual(ws.all[1].sentOf('join').map((j) => j.room), ['r'], 'the standby rejoins');
  ws.all[1].frame({ type: 'error', code: ErrorCode.TOO_MANY_ROOMS, message: 'node cap: 300 rooms', room: 'r' });
  clock.advance(5000);
  const third = ws.all[ws.all.length - 1];
  assert.notEqual(third, ws.all[1], 'the pool refilled');
  third.accept();
  ws.all[1].drop(1006);
  assert.deepEqual(third.sentOf('join').map((j) => j.room), ['r'], 'the room was kept and is asked again');
});
