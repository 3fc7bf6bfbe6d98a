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

/** A line of text for each MoveReason, for logs and pages; events carry the code, compare that. */
export const MoveReasonText = Object.freeze({
  [MoveReason.DRAIN]: 'the backend drains',
  [MoveReason.REBALANCE]: 'the backend is above its fair share',
  [MoveReason.REMOVED]: 'the backend left the list',
  [MoveReason.CLOSED]: 'the connection closed',
  [MoveReason.HEARTBEAT_TIMEOUT]: 'no pong within the timeout',
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
  /** a join past the connection's room cap, or a join or publish of a room new to a node at its cap */
  TOO_MANY_ROOMS: 'too-many-rooms',
});

/** The `code` of a join or publish the client itself gave up (a `RequestError`; never sent by a backend). */
export const ClientErrorCode = Object.freeze({
  /** no answer within `requestTimeoutMs` */
  TIMEOUT: 'timeout',
  /** the client was stopped first */
  STOPPED: 'stopped',
  /** more unacked publishes than `queueSize` */
  QUEUE_FULL: 'queue-full',
});

/** Pool states, emitted through the `state` event. */
export const State = Object.freeze({
  /** no connection open yet; trying */
  CONNECTING: 'connecting',
  /** every connection the pool asks for is open */
  OPEN: 'open',
  /** some connections open, fewer than asked for */
  DEGRADED: 'degraded',
  /** nothing open and nothing in sight (no usable backend, repeated failures, or stopped); retries go on */
  OFFLINE: 'offline',
});

/** The life of one connection (connection.js), in order; each only moves forward. */
export const ConnectionState = Object.freeze({
  /** dialing (or asking for a ticket), no `welcome` yet */
  CONNECTING: 'connecting',
  /** the backend sent its `welcome` */
  WELCOMED: 'welcomed',
  /** a replacement of the primary, joining the primary's rooms before it takes over */
  JOINING: 'joining',
  /** in the pool: carries sends (and rooms and publishes when primary) */
  READY: 'ready',
  /** given up or closed: never welcomed again, never chosen */
  CLOSING: 'closing',
});
