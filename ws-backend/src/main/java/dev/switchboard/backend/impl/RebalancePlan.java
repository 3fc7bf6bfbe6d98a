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
 * their clients to move, and where each of those clients goes. Pure.
 *
 * <p>Per service, over its choosable backends: backend i's weighted fair share is
 * {@code share_i = total × weight_i / Σweight}. An under-share backend lacks
 * {@code deficit_i = min(share_i, capacity_i) − L_i} (what it can still take up to its share); an
 * over-share one holds {@code excess_i = L_i − share_i} too many. A backend sheds only when
 * {@code L_i > threshold × share_i}, and then its part of what the under-share backends lack:
 * {@code shed_i = min(⌊excess_i⌋, round(excess_i / Σexcess × Σdeficit))}. So one round moves what is
 * missing — no flat percentage, never below the own share.
 *
 * <p>Where to: the sheds are transported onto the deficits by the northwest-corner rule. Every
 * shedder of the service (local or not, by id) and every target (deficit ≥ 1, by deficit descending,
 * then id) in a row; each target's {@code ⌊deficit⌋} is filled from the current shedder until one
 * of them is used up. Each shedder so gets a list of (target, count) summing to its shed (less only
 * when the targets run out: no target receives more than it lacks). Every node computes the same
 * allocation from (nearly) the same registry — not from its own cooldowns, which it alone knows — and
 * acts only on its own backends' rows; a shedder still cooling down keeps its row, so its earlier
 * moves are not handed to another backend while the registry has yet to show them.
 */
public final class RebalancePlan {

  /** {@code count} of a shedder's clients go to {@code target}. */
  public record Move(String target, int count) {
  }

  /**
   * One local backend's move this round.
   *
   * @param connections its live count
   * @param share its weighted fair share
   * @param count how many of its clients to ask to move (> 0): the sum of {@code moves}' counts
   * @param moves where they go, in allocation order
   */
  public record Shed(String backend, int connections, double share, int count, List<Move> moves) {

    public Shed {
      moves = List.copyOf(moves);
    }

    /** Its targets in allocation order. */
    public List<String> targets() {
      return moves.stream().map(Move::target).toList();
    }

    /**
     * The {@code prefer} list of a client sent to {@code moves().get(k)}: that target first (the
     * client's destination when it can take it), then the shedder's other targets in allocation
     * order; at most {@link WsMessage.Drain#MAX_PREFER} ids.
     */
    public List<String> prefer(int k) {
      List<String> prefer = new ArrayList<>(WsMessage.Drain.MAX_PREFER);
      prefer.add(moves.get(k).target());
      for (int i = 0; i < moves.size() && prefer.size() < WsMessage.Drain.MAX_PREFER; i++) {
        if (i != k) {
          prefer.add(moves.get(i).target());
        }
      }
      return List.copyOf(prefer);
    }
  }

  private final Map<String, Shed> sheds;
  private final Map<String, Set<String>> members;

  private RebalancePlan(Map<String, Shed> sheds, Map<String, Set<String>> members) {
    this.sheds = sheds;
    this.members = members;
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
    for (String service : services) {
      List<BackendRecord> pool = byId.values().stream()
          .filter(r -> r.service().equals(service) && r.choosable())
          .sorted(Comparator.comparing(BackendRecord::id)).toList();
      members.put(service, pool.stream().map(BackendRecord::id).collect(TreeSet::new, Set::add, Set::addAll));
      planService(pool, localIds, coolingDown, threshold, sheds);
    }
    return new RebalancePlan(sheds, members);
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
    // what each target can still receive; floored, so that no target ends above its share
    long[] room = new long[pool.size()];
    under.forEach(i -> room[i] = (long) Math.floor(deficit[i]));
    int next = 0;
    for (int i = 0; i < share.length; i++) {
      BackendRecord r = pool.get(i);
      double excess = r.connections() - share[i];
      if (r.connections() <= threshold * share[i] || excess < 1) {
        continue;
      }
      long left = Math.min((long) Math.floor(excess), Math.round(excess / sumExcess * sumDeficit));
      List<Move> moves = new ArrayList<>();
      while (left > 0 && next < under.size()) {
        int target = under.get(next);
        long n = Math.min(left, room[target]);
        if (n > 0) {
          moves.add(new Move(pool.get(target).id(), (int) n));
          room[target] -= n;
          left -= n;
        }
        if (room[target] == 0) {
          next++;
        }
      }
      // every node walks the same rows; only its own, not cooling down, act
      if (!moves.isEmpty() && localIds.contains(r.id()) && !coolingDown.contains(r.id())) {
        int count = moves.stream().mapToInt(Move::count).sum();
        sheds.put(r.id(), new Shed(r.id(), r.connections(), share[i], count, moves));
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
}
