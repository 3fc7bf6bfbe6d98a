// Codes the browser client emits, the same as the Java client's (dev.switchboard.client.MoveReason), and
// the codes of backends' `error` frames (dev.switchboard.model.ErrorCode, docs/protocol.md).

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

/** The `code` of a backend's `error` frame. */
export const ErrorCode = Object.freeze({
  /** the frame is not a JSON object */
  BAD_JSON: 'bad-json',
  /** missing or unknown `type` */
  UNKNOWN_TYPE: 'unknown-type',
  /** a field missing or invalid */
  BAD_MESSAGE: 'bad-message',
  /** valid, but this backend does not handle it (rooms without a cluster) */
  UNSUPPORTED: 'unsupported',
  /** over the message rate */
  RATE_LIMITED: 'rate-limited',
  /** a publish not stored: resend with the same id */
  PUBLISH_FAILED: 'publish-failed',
  /** a `join since` asked for more than the room keeps */
  HISTORY_GAP: 'history-gap',
  /** a join or publish the ticket or the authorizer does not allow */
  FORBIDDEN: 'forbidden',
});
