package dev.switchboard.backend.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Which of a backend's clients a rebalance asks to move. Pure.
 *
 * <p>A client that moved here (it said so on its upgrade: after a rebalance, a drain or a failover)
 * less than the hold-down ago is never asked. A client that simply connected for the first time may
 * be asked at once — that is how a burst that landed unevenly is evened out. Of the eligible ones the
 * oldest go first: a client that moved is the newest on its new backend, so it is asked again only
 * after every client there that has not moved since — nobody moves twice while others have not moved
 * once.
 *
 * <p>The asked clients are then given their targets in the allocation's proportions: the first
 * {@code c1} go to the first target, the next {@code c2} to the second, and so on.
 */
public final class ShedPicker {

  private ShedPicker() {
  }

  /**
   * Up to {@code count} of {@code oldestFirst} that are not {@code moving} already and, if they
   * {@code movedIn}, connected at least {@code holdDownNanos} before {@code nowNanos}; oldest first.
   */
  public static <T> List<T> pick(List<T> oldestFirst, int count, long nowNanos, long holdDownNanos,
      ToLongFunction<T> connectedAtNanos, Predicate<T> movedIn, Predicate<T> moving) {
    List<T> picked = new ArrayList<>(Math.max(0, Math.min(count, oldestFirst.size())));
    for (T candidate : oldestFirst) {
      if (picked.size() >= count) {
        break;
      }
      boolean heldDown = movedIn.test(candidate) && nowNanos - connectedAtNanos.applyAsLong(candidate) < holdDownNanos;
      if (!moving.test(candidate) && !heldDown) {
        picked.add(candidate);
      }
    }
    return picked;
  }

  /**
   * Splits {@code asked} over {@code moves}: group k holds the next {@code moves.get(k).count()}
   * clients in order (fewer, or none, once {@code asked} runs out); one group per move.
   */
  public static <T> List<List<T>> assign(List<T> asked, List<RebalancePlan.Move> moves) {
    List<List<T>> groups = new ArrayList<>(moves.size());
    int from = 0;
    for (RebalancePlan.Move move : moves) {
      int to = Math.min(asked.size(), from + move.count());
      groups.add(asked.subList(from, to));
      from = to;
    }
    return groups;
  }
}
