// What a `drain` frame asks (same rule as the Java client's MoveHint): why, and for a rebalance the
// under-share backends to prefer; and which listed backends a move may land on.

import { MoveReason } from './codes.js';

const MAX_PREFER = 64;

/** Reads a `drain` frame; malformed optional fields are ignored. */
export function moveHint(frame) {
  const deadlineMs = Number.isFinite(frame.deadlineMs) ? Math.max(0, frame.deadlineMs) : 0;
  const reason = frame.reason === MoveReason.REBALANCE ? MoveReason.REBALANCE : MoveReason.DRAIN;
  const prefer = Array.isArray(frame.prefer)
    ? [...new Set(frame.prefer.filter((id) => typeof id === 'string'))].slice(0, MAX_PREFER) : [];
  return { reason, prefer, deadlineMs };
}

/**
 * A rebalance's target: the first backend of `prefer` (the backend put its choice first) that is
 * listed (a Map by id), choosable and `usable` (e.g. not already in the pool); null for a drain or
 * when none is.
 */
export function preferredTarget(hint, backends, usable) {
  if (hint.reason !== MoveReason.REBALANCE) return null;
  for (const id of hint.prefer) {
    const b = backends.get(id);
    if (b && b.state === 'UP' && !b.suspect && b.connections < b.capacity && usable(b)) return b;
  }
  return null;
}

/**
 * The backends a move may land on when preferredTarget found none, given the list (a Map or array of
 * records). A drain may go anywhere; a rebalance (its hint stale) goes to any backend under its
 * weighted share by the list; none at all means stay.
 */
export function moveTargets(hint, backends) {
  if (hint.reason !== MoveReason.REBALANCE) return () => true;
  const list = [...backends.values()];
  const choosable = list.filter((b) => b.state === 'UP' && !b.suspect);
  let connections = 0;
  let weights = 0;
  for (const b of choosable) {
    connections += b.connections;
    weights += b.weight;
  }
  const level = weights === 0 ? 0 : connections / weights;
  return (b) => b.connections < level * b.weight;
}
