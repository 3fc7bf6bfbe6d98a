// Backend selection policies, identical to the Java client's (dev.switchboard.client.policy.Policy):
// the candidates are UP, not suspect and not full, in id order; the floating-point operations are the
// Java client's, in the same order, so the shared test vectors (policy-vectors.json) prove both pick
// the same. docs/protocol.md, "Client selection policies", states the rules.

/** Seeded PRNG (mulberry32) in uint32 arithmetic: the same sequence as the Java client's Mulberry32. */
export function mulberry32(seed) {
  let a = seed | 0;
  return () => {
    a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const encoder = new TextEncoder();

/** FNV-1a over the UTF-8 bytes, as an unsigned 32-bit number. */
export function fnv1a32(text) {
  let h = 0x811c9dc5;
  for (const b of encoder.encode(text)) {
    h = Math.imul((h ^ b) >>> 0, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The weight of `id` for `key` in rendezvous hashing: FNV-1a of `key + "\0" + id` mixed by murmur3's
 * fmix32 finalizer, unsigned. Without the finalizer, ids differing in their last character (a node's
 * backends n-0, n-1) get almost the same weight and a key's second choice is nearly always the sibling.
 */
export function rendezvousHash(key, id) {
  let h = fnv1a32(`${key}\u0000${id}`);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A backend above this × the mean connections is passed over by `sticky`. */
export const STICKY_LOAD_BOUND = 1.25;

/** ...and only when it holds more than this many connections above the mean (a small lead is noise). */
export const STICKY_MIN_EXCESS = 10;

/** least-loaded's burst estimate adds this many connections per candidate: leads smaller than it are noise. */
export const LEAST_LOADED_NOISE = 32;

export const POLICIES = Object.freeze(['round-robin', 'random', 'least-loaded', 'sticky']);

/** The weight of a record that carries none (as the Java client reads it). */
const DEFAULT_WEIGHT = 100;

const byId = (x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
const weightOf = (b) => b.weight ?? DEFAULT_WEIGHT;
const everything = () => true;

/** The backends a new connection may go to: UP, not suspect and not full, in id order. */
function candidates(backends) {
  return backends.filter((b) => b.state === 'UP' && !b.suspect && b.connections < b.capacity).sort(byId);
}

/**
 * A selector over one snapshot of the list: build it once per snapshot and reuse it for every pick
 * (round-robin keeps its counter in it). `pick(key, allowed)` returns the policy's choice among the
 * candidates `allowed` accepts (all when omitted), or null when it accepts none; `key` matters only
 * to `sticky`. Round-robin draws one random number here; random and least-loaded one per pick that
 * has an allowed candidate; sticky none.
 * @param {string} policy one of POLICIES
 * @param {object[]} backends backend records
 * @param {() => number} random values in [0, 1)
 * @returns {{ pick(key?: string, allowed?: (b: object) => boolean): object | null }}
 */
export function createSelector(policy, backends, random = Math.random) {
  const list = candidates(backends);
  switch (policy) {
    case 'round-robin':
      return roundRobin(list, random());
    case 'random':
      return proportional(list, list.map(weightOf), random);
    case 'least-loaded':
      return proportional(list, headroom(list), random);
    case 'sticky':
      return sticky(list);
    default:
      throw new TypeError(`unknown policy '${policy}': ${POLICIES.join(', ')}`);
  }
}

/**
 * A counter from a random offset indexes the ALLOWED candidates (counter mod |allowed|, in id order) and
 * moves on by one: a filtered pick stays uniform over a fleet (walking to the next allowed one would
 * favour the backend after the longest run of disallowed ones).
 */
function roundRobin(list, draw) {
  let counter = Math.floor(draw * 2147483648) & 0x7fffffff;
  return {
    pick(key, allowed = everything) {
      const open = list.filter((b) => allowed(b));
      if (open.length === 0) return null;
      const chosen = open[counter % open.length];
      counter = (counter + 1) & 0x7fffffff;
      return chosen;
    },
  };
}

/**
 * least-loaded's shares, over all candidates: W = Σ weight, T = Σ connections, n candidates, a burst
 * B = T + n × LEAST_LOADED_NOISE; target = weight × (T + B) / W; headroom = min(max(0, target − connections), capacity − connections).
 */
function headroom(list) {
  let totalWeight = 0;
  let total = 0;
  for (const b of list) {
    totalWeight += weightOf(b);
    total += b.connections;
  }
  // assume a burst as large as the current population, plus a floor per backend below which a lead is
  // noise (loads are reported about once a second; a cold start reports a few connections each)
  const burst = total + list.length * LEAST_LOADED_NOISE;
  return list.map((b) => {
    const target = weightOf(b) * (total + burst) / totalWeight;
    return Math.min(Math.max(0, target - b.connections), b.capacity - b.connections);
  });
}

/**
 * An allowed candidate with probability proportional to its share, or to its weight when no allowed
 * candidate has a positive share: r = random × Σ shares, walked in id order.
 */
function proportional(list, shares, random) {
  const weights = list.map(weightOf);
  return {
    pick(key, allowed = everything) {
      const ok = list.map((b) => allowed(b));
      let shareSum = 0;
      let weightSum = 0;
      for (let i = 0; i < list.length; i++) {
        if (ok[i]) {
          shareSum += shares[i];
          weightSum += weights[i];
        }
      }
      if (!ok.includes(true)) return null;
      const by = shareSum > 0 ? shares : weights;
      let r = random() * (shareSum > 0 ? shareSum : weightSum);
      let last = -1;
      for (let i = 0; i < list.length; i++) {
        if (!ok[i] || by[i] <= 0) continue;
        if (r < by[i]) return list[i];
        r -= by[i];
        last = i;
      }
      // rounding can leave r just above the last share
      return list[last];
    },
  };
}

/** The key's rendezvous order past disallowed candidates and those over the load bound (mean over all). */
function sticky(list) {
  const mean = list.length === 0 ? 0 : list.reduce((sum, b) => sum + b.connections, 0) / list.length;
  return {
    pick(key, allowed = everything) {
      const k = key ?? '';
      const scored = list.map((b) => ({ b, h: rendezvousHash(k, b.id) }));
      scored.sort((x, y) => (y.h - x.h) || byId(x.b, y.b));
      let first = null;
      for (const { b } of scored) {
        if (!allowed(b)) continue;
        if (b.connections <= STICKY_LOAD_BOUND * mean || b.connections <= mean + STICKY_MIN_EXCESS) return b;
        first ??= b;
      }
      // every allowed candidate is over the bound: the key's first
      return first;
    },
  };
}
