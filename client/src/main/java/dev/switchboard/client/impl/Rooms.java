package dev.switchboard.client.impl;

import dev.switchboard.client.ForbiddenException;
import dev.switchboard.client.RequestException;
import dev.switchboard.model.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Rooms and publishes: the last seq delivered per room (dedupe, rejoin with {@code since}), the joins
 * not yet answered and the publishes not yet acked (resent with their id after a failover). Every join
 * and publish settles: on its answer, on its {@code error} frame, or after {@code requestTimeoutMs}.
 * Single-threaded (the client's context).
 */
final class Rooms {

  private record Pending(Object id, String room, Object data, Promise<Long> acked, long timer) {
  }

  private record Join(Promise<Long> joined, long timer) {
  }

  private final Clock clock;
  private final long requestTimeoutMs;
  private final int maxPending;
  /** Where joins and publishes go: the primary connection, or null while none is open. */
  private final Supplier<Connection> primary;
  /** Told when a room's join on a connection (null: on any) was answered or given up. */
  private final BiConsumer<Connection, String> settled;
  /** Room → the last seq delivered (null: none yet). */
  private final Map<String, Long> rooms = new LinkedHashMap<>();
  private final Map<String, Join> joins = new LinkedHashMap<>();
  /** Unacked publishes by {@link #key} of their id, so an id 7 and an id "7" stay apart. */
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  Rooms(Clock clock, long requestTimeoutMs, int maxPending, Supplier<Connection> primary,
        BiConsumer<Connection, String> settled) {
    this.clock = clock;
    this.requestTimeoutMs = requestTimeoutMs;
    this.maxPending = maxPending;
    this.primary = primary;
    this.settled = settled;
  }

  /** A message id as a map key that keeps its JSON type: {@code s:7} for "7", {@code n:7} for 7. */
  static String key(Object id) {
    if (id instanceof String s) {
      return "s:" + s;
    }
    if (id instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return "n:" + n.longValue();
    }
    return null;
  }

  Future<Long> join(String room) {
    Promise<Long> joined = Promise.promise();
    Join earlier = joins.get(room);
    if (earlier != null) {
      clock.cancelTimer(earlier.timer());
      joined.future().onComplete(earlier.joined());
    }
    long timer = clock.setTimer(requestTimeoutMs, () -> joinTimedOut(room, joined));
    joins.put(room, new Join(joined, timer));
    rooms.putIfAbsent(room, null);
    Connection c = primary.get();
    if (c != null) {
      sendJoin(c, room);
    }
    return joined.future();
  }

  Future<Long> publish(String room, Object data) {
    if (pending.size() >= maxPending) {
      return Future.failedFuture(new IllegalStateException(
          "too many unacked publishes (" + pending.size() + " ≥ queueSize " + maxPending + ")"));
    }
    String id = UUID.randomUUID().toString();
    Promise<Long> acked = Promise.promise();
    long timer = clock.setTimer(requestTimeoutMs, () -> {
      if (pending.remove(key(id)) != null) {
        acked.tryFail(new RequestException(RequestException.TIMEOUT, room, id,
            "publish to room '" + room + "' not acked within " + requestTimeoutMs + " ms"));
      }
    });
    Pending p = new Pending(id, room, data, acked, timer);
    pending.put(key(id), p);
    Connection c = primary.get();
    if (c != null) {
      sendPublish(c, p);
    }
    return acked.future();
  }

  boolean isEmpty() {
    return rooms.isEmpty();
  }

  Set<String> names() {
    return Set.copyOf(rooms.keySet());
  }

  /** The last seq delivered in {@code room}; null when none or not joined. */
  Long lastSeq(String room) {
    return rooms.get(room);
  }

  /** On a new primary: rejoins every room from the last seq delivered and resends every unacked publish. */
  void resume(Connection c) {
    List.copyOf(rooms.keySet()).forEach(room -> sendJoin(c, room));
    resendPublishes(c);
  }

  /** On a new primary that replaced one: joins the rooms it has not asked for yet, and resends every unacked publish. */
  void takeOver(Connection c) {
    List.copyOf(rooms.keySet()).stream().filter(room -> !c.roomsAsked.contains(room)).forEach(room -> sendJoin(c, room));
    resendPublishes(c);
  }

  void resendPublishes(Connection c) {
    List.copyOf(pending.values()).forEach(p -> sendPublish(c, p));
  }

  void sendJoin(Connection c, String room) {
    JsonObject join = new JsonObject().put("type", "join").put("room", room);
    Long since = rooms.get(room);
    c.joinSince.put(room, since);
    c.roomsAsked.add(room);
    c.send(since == null ? join : join.put("since", since));
  }

  private void sendPublish(Connection c, Pending p) {
    c.send(new JsonObject().put("type", "publish").put("room", p.room()).put("id", p.id()).put("data", p.data()));
  }

  /**
   * A {@code joined} on {@code c}. A seq below the {@code since} this connection asked for means the
   * room was destroyed and began again: the server's seq replaces ours, so its new messages are not
   * taken for repeats. Otherwise the higher of the two stands (the other connection of a move may
   * have delivered further meanwhile).
   */
  void onJoined(Connection c, String room, Long seq) {
    if (room == null || seq == null || !rooms.containsKey(room)) {
      return;
    }
    Long asked = c.joinSince.remove(room);
    Long ours = rooms.get(room);
    rooms.put(room, ours == null || asked != null && seq < asked ? seq : Math.max(ours, seq));
    Join j = joins.remove(room);
    if (j != null) {
      clock.cancelTimer(j.timer());
      j.joined().tryComplete(seq);
    }
    settled.accept(c, room);
  }

  /** A room message: true when it is new (deliver it), false for a repeat or a room not joined. */
  boolean onMessage(String room, Long seq) {
    if (room == null || seq == null || !rooms.containsKey(room)) {
      return false;
    }
    Long last = rooms.get(room);
    if (last != null && seq <= last) {
      return false; // already delivered (a replay after failover, or a second connection during a move)
    }
    rooms.put(room, seq);
    return true;
  }

  void onAck(Object id, Long seq) {
    String key = key(id);
    Pending p = key == null || seq == null ? null : pending.remove(key);
    if (p != null) {
      clock.cancelTimer(p.timer());
      p.acked().tryComplete(seq);
    }
  }

  /**
   * An {@code error} frame: one naming a pending publish's {@code id} fails that publish; one naming a
   * room (and no id) fails that room's pending join, and the room is forgotten — not rejoined after a
   * failover, not awaited by a replacement — as it is on {@code forbidden}; any other refusal of a rejoin
   * (the app's join succeeded earlier) keeps the room for the next primary and does not hold up a move. {@code history-gap} is informational. Returns whether it settled something.
   */
  boolean onError(Connection c, JsonObject error) {
    Object code = error.getValue("code");
    if (!(code instanceof String wire) || ErrorCode.HISTORY_GAP.wire().equals(wire)
        || !(error.getValue("room") instanceof String room)) {
      return false;
    }
    String message = String.valueOf(error.getValue("message"));
    Object id = error.getValue("id");
    if (id != null) {
      String key = key(id);
      Pending p = key == null ? null : pending.remove(key);
      if (p == null) {
        return false;
      }
      clock.cancelTimer(p.timer());
      p.acked().tryFail(failure(wire, room, p.id(), message));
      return true;
    }
    if (!rooms.containsKey(room)) {
      return false;
    }
    c.joinSince.remove(room);
    if (joins.containsKey(room) || ErrorCode.FORBIDDEN.wire().equals(wire)) {
      forget(room, failure(wire, room, null, message));
    } else {
      // a rejoin after a move refused for now (too-many-rooms on this backend): the app's room is kept and
      // asked again on the next primary; the move is not held up by it
      settled.accept(c, room);
    }
    return true;
  }

  private void joinTimedOut(String room, Promise<Long> joined) {
    Join j = joins.get(room);
    if (j == null || j.joined() != joined) {
      return;
    }
    RequestException timeout = new RequestException(RequestException.TIMEOUT, room, null,
        "join of room '" + room + "' not answered within " + requestTimeoutMs + " ms");
    if (rooms.get(room) == null) {
      forget(room, timeout); // never joined: no trace of it is left
    } else {
      joins.remove(room); // a repeated join of a room already joined: the subscription stays
      joined.tryFail(timeout);
    }
  }

  /** The room's join failed: no trace of it is left. */
  private void forget(String room, RequestException cause) {
    rooms.remove(room);
    Join j = joins.remove(room);
    if (j != null) {
      clock.cancelTimer(j.timer());
      j.joined().tryFail(cause);
    }
    settled.accept(null, room);
  }

  private static RequestException failure(String code, String room, Object id, String message) {
    return ErrorCode.FORBIDDEN.wire().equals(code) ? new ForbiddenException(room, id, message)
        : new RequestException(code, room, id, message);
  }

  /** Fails every join and publish (the client closed). */
  void failAll(RuntimeException cause) {
    joins.values().forEach(j -> {
      clock.cancelTimer(j.timer());
      j.joined().tryFail(cause);
    });
    pending.values().forEach(p -> {
      clock.cancelTimer(p.timer());
      p.acked().tryFail(cause);
    });
    joins.clear();
    pending.clear();
  }
}
