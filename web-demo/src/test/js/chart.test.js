// The chart's data: a series per backend that grows while it is listed and ends when it leaves, the
// spread of the choosable backends, and a sliding window.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeriesStore } from '../../main/resources/webroot/chart.js';
import { StateClock, duration, healthUrl } from '../../main/resources/webroot/backends-view.js';

const b = (id, connections, extra = {}) => ({ id, connections, state: 'UP', ...extra });

test('a backend that appears gets a series that grows with each sample', () => {
  const s = new SeriesStore();
  s.sample(1000, [b('a', 1)]);
  s.sample(2000, [b('a', 2), b('b', 0)]);
  s.sample(3000, [b('a', 2), b('b', 1)]);
  assert.equal(s.series.get('a').points.length, 3);
  assert.deepEqual(s.series.get('b').points.map((p) => p.v), [0, 1]);
  assert.equal(s.series.get('b').ended, null);
});

test('a backend that leaves the list ends its series there, and the series stays drawn', () => {
  const s = new SeriesStore();
  s.sample(1000, [b('a', 3), b('b', 3)]);
  s.sample(2000, [b('a', 6)]);
  s.sample(3000, [b('a', 6)]);
  assert.equal(s.series.get('b').ended, 2000);
  assert.equal(s.series.get('b').points.length, 1);
});

test('the spread is max over mean of the choosable backends only', () => {
  const s = new SeriesStore();
  s.sample(1000, [b('a', 30), b('b', 10), b('c', 90, { state: 'DRAINING' }), b('d', 0, { suspect: true })]);
  assert.equal(s.ratio(), 1.5);
});

test('history older than the window is dropped, and so are series that ended before it', () => {
  const s = new SeriesStore({ windowMs: 10_000 });
  s.sample(0, [b('a', 1), b('b', 1)]);
  s.sample(1000, [b('a', 1)]);
  s.mark(1000, 'removed', 'b');
  s.sample(20_000, [b('a', 1)]);
  assert.equal(s.series.has('b'), false);
  assert.equal(s.series.get('a').points.length, 1);
  assert.equal(s.marks.length, 0);
});

test('time in state counts from the backend start when first seen up, from the change after', () => {
  let now = 100_000;
  const c = new StateClock(() => now);
  c.observe([b('a', 0, { startedAt: 40_000 })]);
  assert.equal(c.inState('a'), 60_000);
  now = 110_000;
  c.observe([b('a', 0, { startedAt: 40_000, state: 'DRAINING' })]);
  now = 113_000;
  assert.equal(c.inState('a'), 3000);
  c.observe([]);
  assert.equal(c.inState('a'), -1);
});

test('durations and health URLs', () => {
  assert.equal(duration(45_000), '45 s');
  assert.equal(duration(182_000), '3 min 02 s');
  assert.equal(duration(7_500_000), '2 h 05 min');
  assert.equal(healthUrl('ws://127.0.0.1:9001/ws'), 'http://127.0.0.1:9001/health/live');
  assert.equal(healthUrl('wss://b.example/ws?x=1'), 'https://b.example/health/live');
});

test('backends get colours in order of appearance: the first ten never share one', () => {
  const s = new SeriesStore();
  for (let i = 0; i < 10; i++) s.sample(i * 1000, Array.from({ length: i + 1 }, (_, k) => b(`n-${k}`, 1)));
  assert.equal(new Set([...s.series.values()].map((x) => x.color)).size, 10);
});
