package dev.switchboard.model;

/** Codes carried by {@code error} frames (PROTOCOL §3); the wire form is {@link #wire()}. */
public enum ErrorCode {
  /** The frame is not a JSON object. */
  BAD_JSON("bad-json"),
  /** The {@code type} field is missing or names no known message. */
  UNKNOWN_TYPE("unknown-type"),
  /** A known message with a missing or invalid field. */
  BAD_MESSAGE("bad-message"),
  /** The message is valid but this backend does not handle it. */
  UNSUPPORTED("unsupported"),
  /** Too many messages; repeated abuse closes the connection with 1008. */
  RATE_LIMITED("rate-limited"),
  /** The client may not do this (join or publish to this room): its ticket or the application's authorizer says no. */
  FORBIDDEN("forbidden"),
  /** A publish was not stored; resend it with the same id. */
  PUBLISH_FAILED("publish-failed"),
  /** A join asked for messages older than the room keeps; replay starts at the oldest kept. */
  HISTORY_GAP("history-gap"),
  /** A join or publish past the connection's or the node's room cap. */
  TOO_MANY_ROOMS("too-many-rooms");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
