package dev.switchboard.bench.sim;

/** What happens to the fleet at the simulated event. */
public enum Scenario {

  /** Every client starts within one second on an empty fleet of all the backends. */
  COLD_START("cold start"),
  /** A balanced fleet loses a tenth of its backends at once (kill -9: their sockets close, the list drops them later). */
  KILL("kill 10 %"),
  /** A balanced fleet on half the backends gets the other half at once; only rebalance moves clients. */
  SCALE_OUT("scale-out ×2");

  private final String label;

  Scenario(String label) {
    this.label = label;
  }

  /** How the report names it. */
  public String label() {
    return label;
  }
}
