package dev.switchboard.coordinator.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When each node was last heard from, and which nodes are past their deadline. A node seen for the
 * first time (a record or a heartbeat) starts with a full deadline, so a coordinator that starts late
 * shows every registered backend at once. Pure and clock-free: callers pass the time in nanoseconds.
 */
final class NodeLiveness {

  private final long timeoutNanos;
  private final Map<String, Long> lastSeen = new HashMap<>();
  private final Set<String> expired = new HashSet<>();

  NodeLiveness(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  /**
   * Records a heartbeat of a known node; returns true when it was expired and is alive again.
   * Heartbeats of nodes that host no record are ignored, so forged ids cannot grow this table.
   */
  boolean heard(String node, long now) {
    if (!lastSeen.containsKey(node)) {
      return false;
    }
    lastSeen.put(node, now);
    return expired.remove(node);
  }

  /** Starts the deadline of a node not seen before; does nothing for a known one. */
  void know(String node, long now) {
    lastSeen.putIfAbsent(node, now);
  }

  boolean isAlive(String node) {
    return !expired.contains(node);
  }

  /** Nanoseconds since the node was last heard from, or -1 when unknown. */
  long silentFor(String node, long now) {
    Long seen = lastSeen.get(node);
    return seen == null ? -1 : now - seen;
  }

  /** The nodes whose deadline passed since the last call; they stay expired until heard again. */
  List<String> expire(long now) {
    List<String> newly = new ArrayList<>();
    for (Map.Entry<String, Long> e : lastSeen.entrySet()) {
      if (now - e.getValue() > timeoutNanos && expired.add(e.getKey())) {
        newly.add(e.getKey());
      }
    }
    return newly;
  }

  /** Forgets a node that left the cluster. */
  void forget(String node) {
    lastSeen.remove(node);
    expired.remove(node);
  }
}
