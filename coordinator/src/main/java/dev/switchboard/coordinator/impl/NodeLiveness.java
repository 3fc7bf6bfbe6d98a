package dev.switchboard.coordinator.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * When each node was last heard from, and where that leaves it: a node silent longer than
 * {@code suspectNanos} is {@link State#SUSPECT}, longer than {@code timeoutNanos} {@link State#EXPIRED};
 * a heartbeat makes it {@link State#ALIVE} again. A node seen for the first time (a record or a
 * heartbeat) starts with a full grace period, so a coordinator that starts late shows every registered
 * backend at once.
 *
 * <p>The coordinator's own stalls (a GC pause, CPU starvation) are not charged to the nodes: checks are
 * meant to run every {@code checkPeriodNanos}, and when one runs more than twice that after the previous
 * one, the excess is added to every node's last-seen time — while the coordinator could not listen, it
 * cannot tell who was silent. A check therefore counts at most two periods of silence.
 *
 * <p>Correlated silence is not charged to the nodes either: when most of at least
 * {@link #MIN_NODES_FOR_PANIC} known nodes are silent past the suspect deadline at once, the cause is
 * more likely this machine or the network than each of them (a connection storm that starves every
 * JVM on a host stalled all three backend nodes of the {@code balance} bench for up to 4 s), and
 * hiding them all would move every client at once. No node changes state while that lasts, and that
 * time is not counted as anyone's silence (Envoy's "panic threshold" reasons the same way): once most
 * are heard, each silent node's deadlines run on from where they stood when the panic began. A node
 * that really died still leaves through the cluster's own membership ({@link #forget}).
 *
 * <p>Pure and clock-free: callers pass the time in nanoseconds. Confined to one event loop.
 */
final class NodeLiveness {

  /** Where a node stands. */
  enum State {
    /** Heard within the suspect deadline. */
    ALIVE,
    /** Silent past the suspect deadline: still listed, flagged, chosen for no new connection. */
    SUSPECT,
    /** Silent past the timeout: its backends are off the list until it is heard again. */
    EXPIRED
  }

  /** A node that moved from one state to another, silent for {@code silentNanos} when it did. */
  record Transition(String node, State from, State to, long silentNanos) {
  }

  /**
   * What one check found: the nodes that changed state, the coordinator's stall it forgave (0 if none),
   * and how many nodes were silent past the suspect deadline when most were (0 otherwise: no panic).
   */
  record Check(List<Transition> transitions, long stallNanos, int silentTogether) {
  }

  /** Correlated silence is judged only among at least this many nodes: with fewer, one is "most". */
  static final int MIN_NODES_FOR_PANIC = 3;

  private static final class Node {
    long lastSeen;
    State state = State.ALIVE;

    Node(long lastSeen) {
      this.lastSeen = lastSeen;
    }
  }

  private final long suspectNanos;
  private final long timeoutNanos;
  private final long maxCountedGapNanos;
  private final Map<String, Node> nodes = new HashMap<>();
  private boolean checked;
  private long lastCheck;
  private boolean panicking;

  /**
   * @param suspectNanos silence after which a node is suspect; at or above {@code timeoutNanos} there is no suspect stage
   * @param timeoutNanos silence after which a node expires
   * @param checkPeriodNanos how often {@link #check} is meant to run
   */
  NodeLiveness(long suspectNanos, long timeoutNanos, long checkPeriodNanos) {
    if (suspectNanos <= 0 || timeoutNanos <= 0 || checkPeriodNanos <= 0) {
      throw new IllegalArgumentException("deadlines and check period must be > 0, got suspect " + suspectNanos
          + ", timeout " + timeoutNanos + ", check period " + checkPeriodNanos);
    }
    this.suspectNanos = suspectNanos;
    this.timeoutNanos = timeoutNanos;
    this.maxCountedGapNanos = 2 * checkPeriodNanos;
  }

  /**
   * Records a heartbeat of a known node; returns its way back when it was suspect or expired.
   * Heartbeats of nodes that host no record are ignored, so forged ids cannot grow this table.
   */
  Optional<Transition> heard(String node, long now) {
    Node n = nodes.get(node);
    if (n == null) {
      return Optional.empty();
    }
    long silent = now - n.lastSeen;
    State was = n.state;
    n.lastSeen = Math.max(n.lastSeen, now);
    n.state = State.ALIVE;
    return was == State.ALIVE ? Optional.empty() : Optional.of(new Transition(node, was, State.ALIVE, silent));
  }

  /** Starts the grace period of a node not seen before; does nothing for a known one. */
  void know(String node, long now) {
    nodes.putIfAbsent(node, new Node(now));
  }

  /** The node's state; {@link State#ALIVE} for a node not known. */
  State state(String node) {
    Node n = nodes.get(node);
    return n == null ? State.ALIVE : n.state;
  }

  /** Nanoseconds since the node was last heard from (stalls forgiven), or -1 when unknown. */
  long silentFor(String node, long now) {
    Node n = nodes.get(node);
    return n == null ? -1 : now - n.lastSeen;
  }

  /**
   * Moves every node whose deadline passed to its next state, unless most nodes are silent at once;
   * each transition is reported once.
   */
  Check check(long now) {
    long gap = checked ? now - lastCheck : 0;
    long stall = Math.max(0, gap - maxCountedGapNanos);
    checked = true;
    lastCheck = now;
    // while most were silent, the time since the previous check is not counted either, as for a stall
    long forgiven = panicking ? gap : stall;
    int silentPastSuspect = 0;
    for (Node n : nodes.values()) {
      n.lastSeen = Math.min(now, n.lastSeen + forgiven);
      if (now - n.lastSeen > suspectNanos) {
        silentPastSuspect++;
      }
    }
    panicking = nodes.size() >= MIN_NODES_FOR_PANIC && 2 * silentPastSuspect > nodes.size();
    if (panicking) {
      return new Check(List.of(), stall, silentPastSuspect);
    }
    List<Transition> moved = new ArrayList<>();
    for (Map.Entry<String, Node> e : nodes.entrySet()) {
      Node n = e.getValue();
      long silent = now - n.lastSeen;
      State next = silent > timeoutNanos ? State.EXPIRED
          : silent > suspectNanos && n.state == State.ALIVE ? State.SUSPECT
          : n.state;
      if (next != n.state) {
        moved.add(new Transition(e.getKey(), n.state, next, silent));
        n.state = next;
      }
    }
    return new Check(moved, stall, 0);
  }

  /** How many nodes are known. */
  int size() {
    return nodes.size();
  }

  /** Forgets a node that left the cluster or hosts no record any more. */
  void forget(String node) {
    nodes.remove(node);
  }
}
