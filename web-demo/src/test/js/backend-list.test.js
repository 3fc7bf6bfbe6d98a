// Following the list on a fake EventSource and a fake clock: coordinator switch on error and on
// silence, ping events, and the failure count that resets only after a stream stayed up.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendList, DEFAULT_KEEP_ALIVE_MS, silenceLimit } from '../../main/resources/webroot/backend-list.js';
import { FakeClock, backend, fakeEventSourceClass } from './fakes.js';

console.debug = () => {};

function follow(coordinators = ['http://c1.test', 'http://c2.test', 'http://c3.test']) {
  const clock = new FakeClock();
  const es = fakeEventSourceClass();
  const list = new BackendList({ coordinators, EventSource: es, random: () => 0, now: clock.now,
    setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, retryMs: 2000 });
  const changes = [];
  list.addEventListener('change', (e) => changes.push(e.detail));
  list.start();
  return { list, clock, es, changes };
}

test('a stream error moves to the next coordinator, resuming from the last event id', () => {
  const { list, clock, es, changes } = follow();
  assert.match(es.last.url, /^http:\/\/c1\.test\/v1\/backends\/stream\?service=chat$/);
  es.last.open();
  es.last.snapshot([backend('a')], 'E1-5');
  es.last.fail();
  assert.equal(es.all[0].closed, true);
  clock.advance(100);
  assert.match(es.last.url, /^http:\/\/c2\.test\/.*lastEventId=E1-5/);
  assert.deepEqual([...list.backends.keys()], ['a'], 'the last known list stays meanwhile');
  assert.equal(changes.length, 1);
});

test('a silent stream is left after two keep-alives and a second, for the next coordinator', () => {
  const { list, clock, es } = follow();
  es.last.open();
  es.last.snapshot([backend('a')]);
  clock.advance(silenceLimit(DEFAULT_KEEP_ALIVE_MS) - 1);
  assert.equal(es.all[0].closed, false);
  clock.advance(1);
  assert.equal(es.all[0].closed, true);
  assert.equal(list.streaming, false);
  clock.advance(100);
  assert.equal(es.all.length, 2);
  assert.match(es.last.url, /^http:\/\/c2\.test/);
});

test('ping events keep a stream alive and teach the keep-alive interval', () => {
  const { list, clock, es } = follow();
  es.last.open();
  es.last.snapshot([backend('a')]);
  es.last.emit('ping', { keepAliveMs: 1000 });
  assert.equal(list.keepAliveMs, 1000);
  for (let i = 0; i < 20; i++) {
    clock.advance(1000);
    es.last.emit('ping', { keepAliveMs: 1000 });
  }
  assert.equal(es.all.length, 1, 'pinged streams stay');
  clock.advance(silenceLimit(1000));
  assert.equal(es.all[0].closed, true, 'left within 2 × keep-alive + 1 s of the last ping');
});

test('a stream that never opens (a black-holed coordinator) is left too', () => {
  const { clock, es } = follow();
  clock.advance(silenceLimit(DEFAULT_KEEP_ALIVE_MS));
  assert.equal(es.all[0].closed, true);
});

test('bad ping data is ignored but still counts as life', () => {
  const { list, es } = follow();
  es.last.open();
  es.last.emit('ping', '{nope');
  es.last.emit('ping', { keepAliveMs: -5 });
  assert.equal(list.keepAliveMs, DEFAULT_KEEP_ALIVE_MS);
});

test('a coordinator that sends a snapshot and drops at once is not re-hit at once: failures count on', () => {
  const { clock, es } = follow(['http://c1.test', 'http://c2.test']);
  const delays = [];
  for (let i = 0; i < 6; i++) {
    es.last.open();
    es.last.snapshot([backend('a')], `e-${i}`);
    const before = clock.t;
    const n = es.all.length;
    es.last.fail();
    while (es.all.length === n) clock.advance(10);
    delays.push(clock.t - before);
  }
  assert.ok(delays.slice(2).every((d) => d >= 1000), `backoff after a full round of failures: ${delays}`);
});

test('a stream that stayed up 10 s resets the failure count', () => {
  const { clock, es, list } = follow(['http://c1.test', 'http://c2.test']);
  for (let i = 0; i < 4; i++) {
    const before = es.all.length;
    es.last.fail();
    while (es.all.length === before) clock.advance(100); // until the retry opens the next stream
  }
  assert.ok(list.failures >= 4);
  es.last.open();
  for (let t = 0; t < 10; t++) {
    clock.advance(1000);
    es.last.emit('ping', { keepAliveMs: 15000 });
  }
  const n = es.all.length;
  es.last.fail();
  assert.equal(list.failures, 1, 'counted afresh');
  clock.advance(100);
  assert.equal(es.all.length, n + 1, 'the next coordinator at once');
});

test('stop closes the stream and its timers', () => {
  const { list, clock, es } = follow();
  list.stop();
  clock.advance(100000);
  assert.equal(es.all.length, 1);
  assert.equal(es.all[0].closed, true);
});
