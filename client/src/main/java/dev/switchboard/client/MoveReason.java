package dev.switchboard.client;

/** Why a connection left a backend; the wire form ({@link #code()}) is the same in the browser client. */
public enum MoveReason {
  /** Planned: the backend drains (admin, SIGTERM, scale-in) and asked its clients to move. */
  DRAIN("drain", true),
  /** Planned: the backend is above its fair share and asked this client to move to an under-share one. */
  REBALANCE("rebalance", true),
  /**
   * Failure: the backend left the list (it stopped, its node died or froze). Not for a backend removed as
   * {@code unreachable}: a connection to it that answers its heartbeats stays.
   */
  REMOVED("removed", false),
  /** Failure: the connection closed unasked. */
  CLOSED("closed", false),
  /** Failure: a ping went unanswered within the timeout. */
  HEARTBEAT_TIMEOUT("heartbeat-timeout", false);

  private final String code;
  private final boolean planned;

  MoveReason(String code, boolean planned) {
    this.code = code;
    this.planned = planned;
  }

  public String code() {
    return code;
  }

  /** True for moves the backend asked for (make-before-break), false for failures. */
  public boolean planned() {
    return planned;
  }

  /** The planned reason a {@code drain} frame names; anything but {@code rebalance} is a drain. */
  public static MoveReason ofDrain(String reason) {
    return REBALANCE.code.equals(reason) ? REBALANCE : DRAIN;
  }
}
