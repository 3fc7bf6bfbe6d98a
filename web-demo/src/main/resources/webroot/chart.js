// Connections per backend over time, as an SVG line chart with the fleet's spread (max / mean of the
// choosable backends) under it and list changes marked. SeriesStore is pure (node tests drive it);
// renderChart draws a store into an <svg>.

/** Colours for backends, given in order of appearance so the first ten on a page never share one. */
const PALETTE = ['#1a73e8', '#e8710a', '#188038', '#d93025', '#9334e6', '#12b5cb', '#f439a0', '#795548', '#5f6368', '#b06000'];

/** Marker colours and letters per list change. */
export const MARKS = Object.freeze({
  added: { color: '#188038', letter: '+' },
  draining: { color: '#e8710a', letter: 'D' },
  suspect: { color: '#c5a100', letter: 'S' },
  back: { color: '#188038', letter: '✓' },
  up: { color: '#188038', letter: 'U' },
  removed: { color: '#d93025', letter: '×' },
});

/**
 * The samples of a sliding window: one series per backend (points `{t, v}`; `ended` is when it left
 * the list, null while listed), the spread `{t, max, mean}` and the list-change marks `{t, change, id}`.
 *
 * @param {object} [options]
 * @param {number} [options.windowMs=180000] how much history is kept and drawn
 */
export class SeriesStore {
  constructor(options = {}) {
    this.windowMs = options.windowMs ?? 180000;
    /** @type {Map<string, {id: string, points: {t: number, v: number}[], ended: number|null}>} */
    this.series = new Map();
    this.spread = [];
    this.marks = [];
    /** when the first sample was taken: the chart spans from there until the window is full */
    this.firstAt = null;
    this.appeared = 0;
  }

  /** One sample of the list at `t`: listed backends extend their series, the others end theirs. */
  sample(t, backends) {
    this.firstAt ??= t;
    const listed = new Set();
    for (const b of backends) {
      listed.add(b.id);
      let s = this.series.get(b.id);
      if (!s) {
        s = { id: b.id, points: [], ended: null, color: PALETTE[this.appeared++ % PALETTE.length] };
        this.series.set(b.id, s);
      }
      s.ended = null;
      s.points.push({ t, v: b.connections });
    }
    for (const s of this.series.values()) {
      if (!listed.has(s.id) && s.ended == null) s.ended = t;
    }
    const choosable = backends.filter((b) => b.state === 'UP' && !b.suspect).map((b) => b.connections);
    if (choosable.length > 0) {
      const mean = choosable.reduce((a, v) => a + v, 0) / choosable.length;
      this.spread.push({ t, max: Math.max(...choosable), mean });
    }
    this.trim(t);
  }

  /** Marks a list change (MARKS' keys) of backend `id` at `t`. */
  mark(t, change, id) {
    this.marks.push({ t, change, id });
  }

  /** The latest max / mean of the choosable backends (1 when even, or when nothing is connected). */
  ratio() {
    const last = this.spread[this.spread.length - 1];
    return !last || last.mean === 0 ? 1 : last.max / last.mean;
  }

  trim(now) {
    const from = now - this.windowMs;
    for (const [id, s] of this.series) {
      while (s.points.length > 1 && s.points[0].t < from) s.points.shift();
      if (s.ended != null && s.ended < from) this.series.delete(id);
    }
    while (this.spread.length > 0 && this.spread[0].t < from) this.spread.shift();
    while (this.marks.length > 0 && this.marks[0].t < from) this.marks.shift();
  }
}

const SVG = 'http://www.w3.org/2000/svg';
const W = 800;
const TOP = 200; // connections panel height
const GAP = 18;
const SPREAD = 60; // spread panel height
const LEFT = 40;

function el(name, attrs, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text != null) e.textContent = text;
  return e;
}

/** Draws `store` into `svg` for the window ending at `now`; `legend` (an element) gets one entry per series. */
export function renderChart(svg, legend, store, now) {
  const H = TOP + GAP + SPREAD + 14;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  // a young page spans what it has seen (at least 30 s), so the lines fill the chart from the start
  const span = Math.min(store.windowMs, Math.max(30000, now - (store.firstAt ?? now)));
  const from = now - span;
  const x = (t) => LEFT + ((t - from) / span) * (W - LEFT - 4);
  let max = 1;
  for (const s of store.series.values()) for (const p of s.points) max = Math.max(max, p.v);
  max = Math.ceil(max * 1.15);
  const y = (v) => 6 + (1 - v / max) * (TOP - 12);
  const children = [];
  for (const v of [0, Math.round(max / 2), max]) {
    children.push(el('line', { x1: LEFT, x2: W - 4, y1: y(v), y2: y(v), class: 'grid' }), el('text', { x: LEFT - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, v));
  }
  for (const m of store.marks.filter((k) => k.t >= from)) {
    const { color, letter } = MARKS[m.change] ?? MARKS.added;
    const title = el('title', {}, `${m.change}: ${m.id} at ${new Date(m.t).toLocaleTimeString()}`);
    const g = el('g', { class: 'mark', 'data-change': m.change, 'data-backend': m.id });
    g.append(el('line', { x1: x(m.t), x2: x(m.t), y1: 2, y2: TOP + GAP + SPREAD, stroke: color }), el('text', { x: x(m.t) + 2, y: 12, fill: color, class: 'mark-letter' }, letter), title);
    children.push(g);
  }
  const entries = [];
  for (const s of [...store.series.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const { color } = s;
    const pts = s.points.filter((p) => p.t >= from).map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    const line = el('polyline', {
      points: pts, stroke: color, class: s.ended == null ? 'series' : 'series ended',
      'data-backend': s.id, 'data-points': s.points.length, 'data-ended': s.ended != null,
    });
    line.append(el('title', {}, s.id));
    children.push(line);
    const last = s.points[s.points.length - 1];
    entries.push({ id: s.id, color, v: last?.v ?? 0, ended: s.ended != null });
  }
  // the spread panel: max / mean of the choosable backends, 1 is perfectly even
  const top2 = TOP + GAP;
  const ratios = store.spread.filter((p) => p.t >= from).map((p) => ({ t: p.t, r: p.mean === 0 ? 1 : p.max / p.mean }));
  const rMax = Math.max(2, ...ratios.map((p) => p.r));
  const ry = (r) => top2 + (1 - (r - 1) / (rMax - 1)) * SPREAD;
  children.push(el('line', { x1: LEFT, x2: W - 4, y1: ry(1), y2: ry(1), class: 'grid' }),
    el('text', { x: LEFT - 6, y: ry(1) + 4, class: 'axis', 'text-anchor': 'end' }, '1.0'),
    el('text', { x: LEFT - 6, y: ry(rMax) + 8, class: 'axis', 'text-anchor': 'end' }, rMax.toFixed(1)),
    el('text', { x: LEFT + 4, y: top2 - 4, class: 'axis' }, 'spread: max / mean connections of the choosable backends'),
    el('polyline', { points: ratios.map((p) => `${x(p.t).toFixed(1)},${ry(p.r).toFixed(1)}`).join(' '), class: 'spread' }));
  children.push(el('text', { x: LEFT, y: H - 2, class: 'axis' }, `−${Math.round(span / 1000)} s`),
    el('text', { x: W - 4, y: H - 2, class: 'axis', 'text-anchor': 'end' }, 'now'));
  svg.replaceChildren(...children);
  legend.replaceChildren(...entries.map((e) => {
    const item = document.createElement('span');
    item.className = e.ended ? 'legend ended' : 'legend';
    item.dataset.backend = e.id;
    item.innerHTML = '<i></i>';
    item.firstChild.style.background = e.color;
    item.append(`${e.id} ${e.ended ? 'left' : e.v}`);
    return item;
  }), Object.assign(document.createElement('span'), { className: 'legend spread', textContent: `spread ${store.ratio().toFixed(2)}` }));
}
