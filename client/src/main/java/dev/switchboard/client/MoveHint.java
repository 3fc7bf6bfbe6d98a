package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What a {@code drain} frame asks: why, and for a rebalance the under-share backends to prefer. Knows
 * which listed backends a move may land on. Pure.
 */
public record MoveHint(MoveReason reason, List<String> prefer, long deadlineMs) {

  /** At most this many preferred ids are read from one frame. */
  public static final int MAX_PREFER = 64;

  /** Reads a {@code drain} frame; malformed optional fields are ignored. */
  public static MoveHint of(JsonObject drain) {
    Object deadline = drain.getValue("deadlineMs");
    long deadlineMs = deadline instanceof Number n ? Math.max(0, n.longValue()) : 0;
    Object reason = drain.getValue("reason");
    List<String> prefer = new ArrayList<>();
    if (drain.getValue("prefer") instanceof JsonArray ids) {
      for (Object id : ids) {
        if (id instanceof String s && prefer.size() < MAX_PREFER && !prefer.contains(s)) {
          prefer.add(s);
        }
      }
    }
    return new MoveHint(MoveReason.ofDrain(reason instanceof String s ? s : null), List.copyOf(prefer), deadlineMs);
  }

  /**
   * A rebalance's target: the first backend of {@code prefer} (the backend put its choice first) that
   * is listed, choosable and {@code usable} (e.g. not already in the pool); null for a drain or when
   * none is.
   */
  public BackendRecord preferred(Map<String, BackendRecord> list, Predicate<BackendRecord> usable) {
    if (reason != MoveReason.REBALANCE) {
      return null;
    }
    for (String id : prefer) {
      BackendRecord b = list.get(id);
      if (b != null && b.choosable() && b.connections() < b.capacity() && usable.test(b)) {
        return b;
      }
    }
    return null;
  }

  /**
   * The backends this move may land on when {@link #preferred} found none, given the list. A drain may
   * go anywhere. A rebalance (its hint stale) goes to any backend under its weighted share by the list;
   * none at all means stay: landing on an over-share backend would only be undone by the next round.
   */
  public Predicate<BackendRecord> targets(Collection<BackendRecord> list) {
    if (reason != MoveReason.REBALANCE) {
      return b -> true;
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
