// Backend selection policies, identical to the Java client's (dev.switchboard.client.policy.Policy):
// only UP backends, in id order; the shared test vectors (policy-vectors.json) prove both pick the same.

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

export const POLICIES = Object.freeze(['round-robin', 'random', 'least-loaded', 'sticky']);

const byId = (x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/**
 * A selector over one snapshot of the list; rebuild it on every change. `pick(key)` returns a backend
 * record or null when none is UP; `key` matters only to `sticky`.
 * @param {string} policy one of POLICIES
 * @param {object[]} backends backend records
 * @param {() => number} random values in [0, 1)
 */
export function createSelector(policy, backends, random = Math.random) {
  const up = backends.filter((b) => b.state === 'UP').sort(byId);
  switch (policy) {
    case 'round-robin': {
      let counter = Math.floor(random() * 2147483648);
      return {
        pick() {
          if (up.length === 0) return null;
          const chosen = up[counter % up.length];
          counter = (counter + 1) & 0x7fffffff;
          return chosen;
        },
      };
    }
    case 'random':
      return { pick: () => (up.length === 0 ? null : up[Math.floor(random() * up.length)]) };
    case 'least-loaded':
      return { pick: () => leastLoaded(up, random) };
    case 'sticky':
      return { pick: (key) => sticky(up, key ?? '') };
    default:
      throw new TypeError(`unknown policy '${policy}': ${POLICIES.join(', ')}`);
  }
}

function load(b) {
  return b.connections / (b.capacity * b.weight);
}

function leastLoaded(up, random) {
  const n = up.length;
  if (n <= 1) return n === 0 ? null : up[0];
  const i = Math.floor(random() * n);
  let j = Math.floor(random() * (n - 1));
  if (j >= i) j++;
  return load(up[j]) < load(up[i]) ? up[j] : up[i];
}

function sticky(up, key) {
  if (up.length === 0) return null;
  const scored = up.map((b) => ({ b, h: rendezvousHash(key, b.id) }));
  scored.sort((x, y) => (y.h - x.h) || byId(x.b, y.b));
  const mean = up.reduce((sum, b) => sum + b.connections, 0) / up.length;
  for (const { b } of scored) {
    if (b.connections <= STICKY_LOAD_BOUND * mean || b.connections <= mean + STICKY_MIN_EXCESS) return b;
  }
  return scored[0].b;
}
