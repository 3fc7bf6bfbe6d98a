package dev.switchboard.backend.impl;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * When a node's rebalance round may act, from what earlier rounds did. Pure; time comes in as epoch
 * or monotonic milliseconds, whichever the caller uses throughout.
 *
 * <ul>
 *   <li>Cooldown: a backend that asked clients to move sheds again only after {@code cooldownMs}
 *       (its move deadline plus two load-report periods) and only {@code settleMs} (two load-report
 *       periods) after the last of those clients left, so the next judgement sees the moves in the
 *       registry instead of stale counts.</li>
 *   <li>Quiet node: no round judges while a local backend's asked clients may still be on their way,
 *       nor while its service's total is short of what it was when this node shed: the missing
 *       clients are between backends, and shares computed without them would be too small.</li>
 *   <li>Settled membership: after a service's set of backends changed (one appeared or disappeared),
 *       no round judges it for {@code settleMs} (two load-report periods), so every count in the
 *       registry has been reported since the change (a kill's survivors see what their peers took in
 *       before anyone sheds), and a scale-out that deploys its backends one by one is judged once,
 *       whole, not as a series of partial targets that each cause a wave of moves.</li>
 * </ul>
 */
public final class RebalanceGate {

  private final long cooldownMs;
  private final long settleMs;
  private final Map<String, Long> coolUntil = new HashMap<>();
  private final Map<String, Set<String>> lastMembers = new HashMap<>();
  private final Map<String, Expected> expected = new HashMap<>();

  /** The service total when this node last shed, and until when to wait for it to come back. */
  private record Expected(long total, long until) {
  }

  /** The share of the total that must be back before a round judges again (the rest may be organic churn). */
  static final double RECOVERED = 0.95;
  private final Map<String, Long> changedAt = new HashMap<>();
  private final Map<String, Long> lastTotal = new HashMap<>();

  /** A service's total may move by this share between two rounds and still count as steady. */
  static final double STEADY = 0.05;

  /**
   * @param cooldownMs how long a backend waits after it shed: its move deadline plus two load-report periods
   * @param settleMs how long it waits after its last asked client left, and how long a service waits
   *     after its set of backends changed: two load-report periods
   */
  public RebalanceGate(long cooldownMs, long settleMs) {
    this.cooldownMs = cooldownMs;
    this.settleMs = settleMs;
  }

  /**
   * Whether {@code service} may be judged at {@code now}: its backends are those of the previous
   * round and have not changed for {@code settleMs}. Remembers them for the next round; the first
   * sight counts as a change.
   */
  public boolean settled(String service, Set<String> members, long now) {
    Set<String> before = lastMembers.put(service, Set.copyOf(members));
    if (!members.equals(before)) {
      changedAt.put(service, now);
      return false;
    }
    return now - changedAt.get(service) >= settleMs;
  }

  /**
   * Whether {@code service}'s total is steady: within {@link #STEADY} (and at least 2 connections) of
   * what it was in the previous round. Remembers it for the next round; the first sight is not steady.
   * While a burst is still arriving, or a failover wave is still reconnecting, the counts are a
   * snapshot of something in motion: shares computed from them would move clients for nothing (a
   * judgement 9 against a share of 8, a second into a burst of 120, moved one).
   */
  public boolean steady(String service, long total) {
    Long before = lastTotal.put(service, total);
    return before != null && Math.abs(total - before) <= Math.max(2, STEADY * Math.max(total, before));
  }

  /**
   * This node asked clients of {@code service} to move while it held {@code total} connections: until
   * the total is back to {@link #RECOVERED} of that, or {@code maxWaitMs} passed, clients are between
   * backends and counted nowhere, and {@link #recovered} says no.
   */
  public void shedFrom(String service, long total, long now, long maxWaitMs) {
    expected.put(service, new Expected(total, now + maxWaitMs));
  }

  /** Whether {@code service}'s total is back after this node's last shed (or there was none to wait for). */
  public boolean recovered(String service, long total, long now) {
    Expected e = expected.get(service);
    if (e == null) {
      return true;
    }
    if (total >= RECOVERED * e.total() || now >= e.until()) {
      expected.remove(service);
      return true;
    }
    return false;
  }

  /** {@code backend} asked clients to move at {@code now}: it waits out the cooldown. */
  public void shed(String backend, long now) {
    coolUntil.merge(backend, now + cooldownMs, Math::max);
  }

  /**
   * Whether no local move is in flight: {@code inFlight} names the local backends whose asked clients
   * may still be on their way. Each keeps cooling until {@code settleMs} after it was last seen so,
   * and while any is, the node's live counts double-count (make-before-break) or miss (clients between
   * backends) its movers, so the round must not judge.
   */
  public boolean quiet(Set<String> inFlight, long now) {
    inFlight.forEach(backend -> coolUntil.merge(backend, now + settleMs, Math::max));
    return inFlight.isEmpty();
  }

  /** The backends still cooling down at {@code now}. */
  public Set<String> coolingDown(long now) {
    coolUntil.values().removeIf(until -> until <= now);
    return Set.copyOf(coolUntil.keySet());
  }
}
