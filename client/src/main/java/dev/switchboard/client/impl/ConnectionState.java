package dev.switchboard.client.impl;

/** The life of one connection to a backend. */
public enum ConnectionState {
  /** Asking for a ticket, then the WebSocket handshake, then waiting for {@code welcome}. */
  CONNECTING,
  /** Welcomed; about to join the pool or to start joining a replaced primary's rooms. */
  WELCOMED,
  /** A replacement of the primary, joining its rooms before it takes over (make-before-break). */
  JOINING,
  /** In the pool: heartbeats run, frames are sent on it. */
  READY,
  /** Closed by this client; its close event is expected and means nothing. */
  CLOSING,
  /** Closed. */
  CLOSED
}
