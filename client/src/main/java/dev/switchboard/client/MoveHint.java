package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a {@code drain} frame asks: why, and for a rebalance the under-share backends to prefer. Knows
 * which listed backends a move may land on. Pure.
 */
public record MoveHint(MoveReason reason, Set<String> prefer, long deadlineMs) {

  /** At most this many preferred ids are read from one frame. */
  public static final int MAX_PREFER = 64;

  /** Reads a {@code drain} frame; malformed optional fields are ignored. */
  public static MoveHint of(JsonObject drain) {
    Object deadline = drain.getValue("deadlineMs");
    long deadlineMs = deadline instanceof Number n ? Math.max(0, n.longValue()) : 0;
    Object reason = drain.getValue("reason");
    Set<String> prefer = new HashSet<>();
    if (drain.getValue("prefer") instanceof JsonArray ids) {
      for (Object id : ids) {
        if (id instanceof String s && prefer.size() < MAX_PREFER) {
          prefer.add(s);
        }
      }
    }
    return new MoveHint(MoveReason.ofDrain(reason instanceof String s ? s : null), Set.copyOf(prefer), deadlineMs);
  }

  /**
   * The backends this move may land on, given the list. A drain may go anywhere. A rebalance goes to
   * a preferred backend when one is listed and choosable; otherwise (the hint is stale) to any backend
   * under its weighted share by the list; none at all means stay: landing on an over-share backend
   * would only be undone by the next round.
   */
  public Predicate<BackendRecord> targets(Collection<BackendRecord> list) {
    if (reason != MoveReason.REBALANCE) {
      return b -> true;
    }
    if (list.stream().anyMatch(b -> b.choosable() && prefer.contains(b.id()))) {
      return b -> prefer.contains(b.id());
    }
    long connections = 0;
    long weights = 0;
    for (BackendRecord b : list) {
      if (b.choosable()) {
        connections += b.connections();
        weights += b.weight();
      }
    }
    double level = weights == 0 ? 0 : (double) connections / weights;
    return b -> b.connections() < level * b.weight();
  }
}
