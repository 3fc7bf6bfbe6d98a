package dev.switchboard.backend.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * Which of a backend's clients a rebalance asks to move. Pure.
 *
 * <p>A client that connected less than the hold-down ago is never asked: it may have just moved here.
 * Of the others the oldest go first: a client that moved is the newest on its new backend, so it is
 * asked again only after every client there that has not moved since — nobody moves twice while
 * others have not moved once.
 */
public final class ShedPicker {

  private ShedPicker() {
  }

  /**
   * Up to {@code count} of {@code oldestFirst} that are not {@code moving} already and connected at
   * least {@code holdDownNanos} before {@code nowNanos}, oldest first.
   */
  public static <T> List<T> pick(List<T> oldestFirst, int count, long nowNanos, long holdDownNanos,
      ToLongFunction<T> connectedAtNanos, Predicate<T> moving) {
    List<T> picked = new ArrayList<>(Math.max(0, Math.min(count, oldestFirst.size())));
    for (T candidate : oldestFirst) {
      if (picked.size() >= count) {
        break;
      }
      if (!moving.test(candidate) && nowNanos - connectedAtNanos.applyAsLong(candidate) >= holdDownNanos) {
        picked.add(candidate);
      }
    }
    return picked;
  }
}
