// What a `drain` frame asks (same rule as the Java client's MoveHint): why, and for a rebalance the
// under-share backends to prefer; and which listed backends a move may land on.

import { MoveReason } from './codes.js';

const MAX_PREFER = 64;

/** Reads a `drain` frame; malformed optional fields are ignored. */
export function moveHint(frame) {
  const deadlineMs = Number.isFinite(frame.deadlineMs) ? Math.max(0, frame.deadlineMs) : 0;
  const reason = frame.reason === MoveReason.REBALANCE ? MoveReason.REBALANCE : MoveReason.DRAIN;
  const prefer = new Set(Array.isArray(frame.prefer)
    ? frame.prefer.filter((id) => typeof id === 'string').slice(0, MAX_PREFER) : []);
  return { reason, prefer, deadlineMs };
}

/**
 * The backends a move may land on, given the list (a Map or array of records). A drain may go
 * anywhere; a rebalance goes to a preferred backend when one is listed and choosable, else to any
 * backend under its weighted share by the list; none at all means stay.
 */
export function moveTargets(hint, backends) {
  if (hint.reason !== MoveReason.REBALANCE) return () => true;
  const list = [...backends.values()];
  const choosable = list.filter((b) => b.state === 'UP' && !b.suspect);
  if (choosable.some((b) => hint.prefer.has(b.id))) return (b) => hint.prefer.has(b.id);
  let connections = 0;
  let weights = 0;
  for (const b of choosable) {
    connections += b.connections;
    weights += b.weight;
  }
  const level = weights === 0 ? 0 : connections / weights;
  return (b) => b.connections < level * b.weight;
}
