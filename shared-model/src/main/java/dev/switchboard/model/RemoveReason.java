package dev.switchboard.model;

/** Why a {@code remove} list event took a backend off the list (PROTOCOL §2); the wire form is {@link #wire()}. */
public enum RemoveReason {
  /** The backend stopped cleanly and deleted its record. */
  DEREGISTERED("deregistered"),
  /** Its node sent no heartbeat within the liveness timeout; it comes back when the node is heard again. */
  EXPIRED("expired"),
  /** Its node (JVM) left the cluster. */
  NODE_LEFT("node-left"),
  /** Clients reported it unreachable and the coordinator's own probe failed too; it comes back after a quarantine. */
  UNREACHABLE("unreachable"),
  /** The registry evicted its record. */
  EVICTED("evicted"),
  /** Its registry entry turned invalid. */
  INVALID("invalid"),
  /** A reason this build does not know (a newer coordinator): read as a plain removal. */
  OTHER("other");

  private final String wire;

  RemoveReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The reason with this wire form; an unknown or missing one is {@link #OTHER}. */
  public static RemoveReason fromWire(String wire) {
    for (RemoveReason r : values()) {
      if (r.wire.equals(wire)) {
        return r;
      }
    }
    return OTHER;
  }
}
