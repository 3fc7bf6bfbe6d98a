package dev.switchboard.client;

/** The state of a client's connection pool, as reported through its state handler. */
public enum ClientState {
  /** No connection open yet; trying. */
  CONNECTING,
  /** All the connections the pool asks for are open. */
  OPEN,
  /** Some connections are open, fewer than the pool asks for (a failover under way, or too few backends). */
  DEGRADED,
  /** No connection open and none in sight: no usable backend listed, repeated failures, or closed. Retries go on. */
  OFFLINE
}
