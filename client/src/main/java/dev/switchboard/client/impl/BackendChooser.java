package dev.switchboard.client.impl;

import dev.switchboard.client.MoveHint;
import dev.switchboard.client.policy.Policy;
import dev.switchboard.client.policy.Selector;
import dev.switchboard.model.BackendRecord;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * Where the pool's next connection goes: the policy's pick over the list, avoiding backends in the
 * pool, backends an attempt failed on lately and, while another is listed, a backend whose
 * established connection was lost. Single-threaded (the client's context).
 */
final class BackendChooser {

  private final Policy policy;
  private final String key;
  private final long forgetAfterMs;
  private final DoubleSupplier random;
  /** When an attempt on a backend last failed: such a backend is tried again only if no other is left. */
  private final Map<String, Long> failedAt = new HashMap<>();
  /** When an established connection to a backend was lost: never tried again while another is listed. */
  private final Map<String, Long> lostAt = new HashMap<>();
  /** Built once per list snapshot, so round-robin rotates across this client's picks. */
  private Selector selector;
  private Map<String, BackendRecord> list = Map.of();

  BackendChooser(Policy policy, String key, long forgetAfterMs, DoubleSupplier random) {
    this.policy = policy;
    this.key = key;
    this.forgetAfterMs = forgetAfterMs;
    this.random = random;
    this.selector = policy.selector(List.of(), random);
  }

  /** A new list: a new selector over it. */
  void list(Map<String, BackendRecord> backends) {
    list = backends;
    selector = policy.selector(List.copyOf(backends.values()), random);
  }

  void failed(String backendId, long now) {
    failedAt.put(backendId, now);
  }

  void lost(String backendId, long now) {
    lostAt.put(backendId, now);
  }

  /**
   * The policy's pick among {@code allowed} backends not {@code used}: first among those that did not
   * fail lately, then among any but a backend whose established connection was just lost; that one
   * only when no other backend is listed.
   */
  BackendRecord pick(Set<String> used, Predicate<BackendRecord> allowed, long now) {
    forgetOld(now);
    Predicate<BackendRecord> unused = b -> !used.contains(b.id()) && allowed.test(b);
    Predicate<BackendRecord> notLost = b -> unused.test(b) && !lostAt.containsKey(b.id());
    BackendRecord pick = selector.pick(key, b -> notLost.test(b) && !failedAt.containsKey(b.id()));
    if (pick == null) {
      pick = selector.pick(key, notLost);
    }
    if (pick == null && list.values().stream().noneMatch(b -> b.choosable() && !lostAt.containsKey(b.id()))) {
      pick = selector.pick(key, unused); // nothing else is listed: the lost backend is all there is
    }
    return pick;
  }

  /** Not {@code used}, and neither failed nor lost lately: where a planned move may go first. */
  /**
   * Where a planned move goes: the first usable backend of the hint's {@code prefer}, else a policy
   * pick among the hint's targets; null when there is none (the client stays).
   */
  BackendRecord moveTarget(MoveHint hint, Map<String, BackendRecord> backends, Set<String> used, long now) {
    BackendRecord preferred = hint.preferred(backends, usable(used, now));
    return preferred != null ? preferred : pick(used, hint.targets(backends.values()), now);
  }

  Predicate<BackendRecord> usable(Set<String> used, long now) {
    forgetOld(now);
    return b -> !used.contains(b.id()) && !failedAt.containsKey(b.id()) && !lostAt.containsKey(b.id());
  }

  /** Forgets failures and losses older than {@code maxMs}, and those of backends no longer listed. */
  private void forgetOld(long now) {
    failedAt.values().removeIf(t -> now - t > forgetAfterMs);
    failedAt.keySet().retainAll(list.keySet());
    lostAt.values().removeIf(t -> now - t > forgetAfterMs);
    lostAt.keySet().retainAll(list.keySet());
  }

  /** How many listed backends other than {@code id} can take clients. */
  int survivors(String id) {
    return (int) list.values().stream().filter(b -> b.choosable() && !b.id().equals(id)).count();
  }

  Collection<BackendRecord> backends() {
    return list.values();
  }
}
