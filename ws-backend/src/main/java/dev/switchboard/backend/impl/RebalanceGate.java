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
 *       (its move deadline plus two load-report periods), so the next judgement sees the moves in the
 *       registry instead of stale counts.</li>
 *   <li>Settled membership: after a service's set of backends changed, the round waits one interval,
 *       so a scale-out that deploys its backends one by one is judged once, whole, not as a series of
 *       partial targets that each cause a wave of moves.</li>
 * </ul>
 */
public final class RebalanceGate {

  private final long cooldownMs;
  private final Map<String, Long> coolUntil = new HashMap<>();
  private final Map<String, Set<String>> lastMembers = new HashMap<>();

  public RebalanceGate(long cooldownMs) {
    this.cooldownMs = cooldownMs;
  }

  /** Whether {@code service} has the same backends as in the previous round; remembers them for the next. */
  public boolean settled(String service, Set<String> members) {
    Set<String> before = lastMembers.put(service, Set.copyOf(members));
    return members.equals(before);
  }

  /** {@code backend} asked clients to move at {@code now}: it waits out the cooldown. */
  public void shed(String backend, long now) {
    coolUntil.put(backend, now + cooldownMs);
  }

  /** The backends still cooling down at {@code now}. */
  public Set<String> coolingDown(long now) {
    coolUntil.values().removeIf(until -> until <= now);
    return Set.copyOf(coolUntil.keySet());
  }
}
