// Codes the browser client emits, the same as the Java client's (dev.switchboard.client.MoveReason).

/**
 * Why a connection left a backend: `move` events carry the planned ones (the backend asked), `failover`
 * events the failures.
 */
export const MoveReason = Object.freeze({
  /** planned: the backend drains (admin, SIGTERM, scale-in) */
  DRAIN: 'drain',
  /** planned: the backend is above its fair share and asked this client to move to an under-share one */
  REBALANCE: 'rebalance',
  /** failure: the backend left the list */
  REMOVED: 'removed',
  /** failure: the connection closed unasked */
  CLOSED: 'closed',
  /** failure: a ping went unanswered within the timeout */
  HEARTBEAT_TIMEOUT: 'heartbeat-timeout',
});

/** Why a `remove` list event took a backend off the list (the coordinator's reasons, docs/protocol.md). */
export const RemoveReason = Object.freeze({
  /** clients reported it unreachable and the coordinator's own probe failed too; a connection that works stays */
  UNREACHABLE: 'unreachable',
});
