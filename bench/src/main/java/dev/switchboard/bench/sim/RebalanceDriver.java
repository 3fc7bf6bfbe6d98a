package dev.switchboard.bench.sim;

/** Placeholder: rebalance rounds are not driven yet. */
final class RebalanceDriver {

  RebalanceDriver(Simulation sim, Fleet fleet, ClientGlue clients, SimConfig config) {
  }

  void round(int b) {
  }
}
