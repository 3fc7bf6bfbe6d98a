package dev.switchboard.model;

/** Why a {@code drain} frame asks a client to move (PROTOCOL §3, extension); the wire form is {@link #wire()}. */
public enum DrainReason {
  /** The backend is leaving (admin drain, SIGTERM, scale-in): every client moves, anywhere. */
  DRAIN("drain"),
  /** The backend holds more than its fair share: this client moves, preferably to a backend named in {@code prefer}. */
  REBALANCE("rebalance");

  private final String wire;

  DrainReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /**
   * The reason with this wire form; an unknown one reads as {@link #DRAIN} (move anyway, no preference),
   * so a reason added later never keeps a client on a backend that wants it gone.
   */
  public static DrainReason fromWire(String wire) {
    return REBALANCE.wire.equals(wire) ? REBALANCE : DRAIN;
  }
}
