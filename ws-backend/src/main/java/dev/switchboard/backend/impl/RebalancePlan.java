package dev.switchboard.backend.impl;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.WsMessage;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One rebalance round of one node, computed from the registry: which local backends ask how many of
 * their clients to move, and where to. Pure.
 *
 * <p>Per service, over its choosable backends: backend i's weighted fair share is
 * {@code share_i = total × weight_i / Σweight}. An under-share backend lacks
 * {@code deficit_i = min(share_i, capacity_i) − L_i} (what it can still take up to its share); an
 * over-share one holds {@code excess_i = L_i − share_i} too many. A local backend sheds only when
 * {@code L_i > threshold × share_i}, and then its part of what the under-share backends lack:
 * {@code shed_i = min(⌊excess_i⌋, round(excess_i / Σexcess × Σdeficit))}. So one round moves what is
 * missing — no flat percentage, never below the own share — and the clients asked are told to prefer
 * the backends lacking most.
 */
public final class RebalancePlan {

  /**
   * One local backend's move this round.
   *
   * @param connections its live count
   * @param share its weighted fair share
   * @param count how many of its clients to ask to move (> 0)
   * @param prefer where they should go: the service's under-share backends, most lacking first
   */
  public record Shed(String backend, int connections, double share, int count, List<String> prefer) {
  }

  private final Map<String, Shed> sheds;
  private final Map<String, Set<String>> members;
  private final Map<String, Long> totals;

  private RebalancePlan(Map<String, Shed> sheds, Map<String, Set<String>> members, Map<String, Long> totals) {
    this.sheds = sheds;
    this.members = members;
    this.totals = totals;
  }

  /**
   * Plans a round.
   *
   * @param registry the records as the cluster registry holds them (remote counts up to a load-report period old)
   * @param local this node's backends with their live counts and current state; they replace their
   *     registry records, and only they are planned for
   * @param coolingDown local backends that shed recently and must wait until the registry shows the result
   * @param threshold a backend sheds only above this × its share (≥ 1)
   */
  public static RebalancePlan of(Collection<BackendRecord> registry, Collection<BackendRecord> local,
      Set<String> coolingDown, double threshold) {
    Map<String, BackendRecord> byId = new HashMap<>();
    registry.forEach(r -> byId.put(r.id(), r));
    local.forEach(r -> byId.put(r.id(), r));
    Set<String> localIds = new LinkedHashSet<>();
    Set<String> services = new TreeSet<>();
    local.forEach(r -> {
      localIds.add(r.id());
      services.add(r.service());
    });
    Map<String, Shed> sheds = new TreeMap<>();
    Map<String, Set<String>> members = new TreeMap<>();
    Map<String, Long> totals = new TreeMap<>();
    for (String service : services) {
      List<BackendRecord> pool = byId.values().stream()
          .filter(r -> r.service().equals(service) && r.choosable())
          .sorted(Comparator.comparing(BackendRecord::id)).toList();
      members.put(service, pool.stream().map(BackendRecord::id).collect(TreeSet::new, Set::add, Set::addAll));
      totals.put(service, pool.stream().mapToLong(BackendRecord::connections).sum());
      planService(pool, localIds, coolingDown, threshold, sheds);
    }
    return new RebalancePlan(sheds, members, totals);
  }

  private static void planService(List<BackendRecord> pool, Set<String> localIds, Set<String> coolingDown,
      double threshold, Map<String, Shed> sheds) {
    long total = 0;
    long weights = 0;
    for (BackendRecord r : pool) {
      total += r.connections();
      weights += r.weight();
    }
    if (pool.size() < 2 || total == 0) {
      return;
    }
    double[] share = new double[pool.size()];
    double sumExcess = 0;
    double sumDeficit = 0;
    List<Integer> under = new ArrayList<>();
    double[] deficit = new double[pool.size()];
    for (int i = 0; i < share.length; i++) {
      BackendRecord r = pool.get(i);
      share[i] = (double) total * r.weight() / weights;
      if (r.connections() > share[i]) {
        sumExcess += r.connections() - share[i];
      } else {
        // a backend takes at most its share, and never past its capacity
        deficit[i] = Math.max(0, Math.min(share[i], r.capacity()) - r.connections());
        if (deficit[i] > 0) {
          sumDeficit += deficit[i];
          under.add(i);
        }
      }
    }
    if (sumExcess == 0 || sumDeficit == 0) {
      return;
    }
    under.sort(Comparator.<Integer>comparingDouble(i -> -deficit[i]).thenComparing(i -> pool.get(i).id()));
    List<String> prefer = under.stream().limit(WsMessage.Drain.MAX_PREFER).map(i -> pool.get(i).id()).toList();
    for (int i = 0; i < share.length; i++) {
      BackendRecord r = pool.get(i);
      double excess = r.connections() - share[i];
      if (!localIds.contains(r.id()) || coolingDown.contains(r.id()) || r.connections() <= threshold * share[i]
          || excess < 1) {
        continue;
      }
      long count = Math.min((long) Math.floor(excess), Math.round(excess / sumExcess * sumDeficit));
      if (count > 0) {
        sheds.put(r.id(), new Shed(r.id(), r.connections(), share[i], (int) count, prefer));
      }
    }
  }

  /** The local backends that shed this round, by id. */
  public Collection<Shed> sheds() {
    return sheds.values();
  }

  /** How many clients {@code backend} asks to move this round (0: none). */
  public int count(String backend) {
    Shed shed = sheds.get(backend);
    return shed == null ? 0 : shed.count();
  }

  /** The choosable backends of each local backend's service, by service: a round acts only once they stay put. */
  public Map<String, Set<String>> members() {
    return members;
  }

  /** The connections of each local backend's service (over its choosable backends), by service. */
  public Map<String, Long> totals() {
    return totals;
  }
}
