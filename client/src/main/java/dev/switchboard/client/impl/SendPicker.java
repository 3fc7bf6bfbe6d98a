package dev.switchboard.client.impl;

import dev.switchboard.client.policy.Policy;

import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Which open connection a send goes to: from a start the policy sets (sticky: the primary; random and
 * least-loaded: any; round-robin: the next in turn), the first whose write queue has room.
 * Single-threaded (the client's context).
 */
final class SendPicker {

  private final Policy policy;
  private final DoubleSupplier random;
  private int counter;

  SendPicker(Policy policy, DoubleSupplier random) {
    this.policy = policy;
    this.random = random;
  }

  /** An open connection whose write queue has room; null if none. */
  Connection pick(List<Connection> open) {
    int n = open.size();
    if (n == 0) {
      return null;
    }
    int start = switch (policy) {
      case STICKY -> 0;
      case RANDOM, LEAST_LOADED -> Math.min(n - 1, (int) (random.getAsDouble() * n));
      case ROUND_ROBIN -> (counter = (counter + 1) & Integer.MAX_VALUE) % n;
    };
    for (int i = 0; i < n; i++) {
      Connection c = open.get((start + i) % n);
      if (!c.writeQueueFull()) {
        return c;
      }
    }
    return null;
  }
}
