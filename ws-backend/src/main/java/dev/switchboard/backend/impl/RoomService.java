package dev.switchboard.backend.impl;

import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.model.ErrorCode;
import dev.switchboard.model.WsMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Chat rooms across every backend. A room is a Hazelcast ringbuffer: its sequence is the room's
 * cluster-wide {@code seq} and its content the bounded history. A publish is claimed by id and appended
 * ({@link RoomPublisher}: two round trips, in the publishing connection's order), then poked with its
 * message to every backend in the room; each hands the room out to its local members in {@code seq}
 * order with no gap and no duplicate ({@link LocalRoom}, {@link RoomFeed}). A connection joins at most
 * {@code maxRoomsPerConnection} rooms, and the node uses at most as many rooms as its {@link RoomSlots}
 * allow; {@link RoomSweeper} destroys rooms idle past the TTL. Confined to one verticle's event loop.
 */
public final class RoomService {

  private static final long POLL_MS = 1_000;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final RoomSweeper sweeper;
  private final RoomSlots slots;
  private final RoomPublisher publisher;
  private final int maxRoomsPerConnection;
  private final Map<String, LocalRoom> rooms = new HashMap<>();
  /** The rooms each connection joined here. */
  private final Map<RoomMember, Set<String>> memberships = new HashMap<>();
  private final long pollTimer;

  /**
   * @param sweeper the node's room sweeper (shared by the node's verticles), with its {@link RoomSlots}
   * @param maxRoomsPerConnection rooms one connection may be in at once
   */
  public RoomService(Vertx vertx, Context context, HazelcastInstance hazelcast, RoomSweeper sweeper,
      int maxRoomsPerConnection) {
    this.vertx = vertx;
    this.context = context;
    this.hazelcast = hazelcast;
    this.sweeper = sweeper;
    this.slots = sweeper.slots();
    this.publisher = new RoomPublisher(vertx, context, hazelcast, sweeper);
    this.maxRoomsPerConnection = maxRoomsPerConnection;
    // a safety net for a lost poke: every active room is read at least once a second
    this.pollTimer = vertx.setPeriodic(POLL_MS, id -> rooms.values().forEach(LocalRoom::tick));
  }

  /**
   * Joins the member to the room, answering {@code joined} (or an {@code error} naming the room). A
   * member already in the room is answered {@code joined} with its current position and nothing is
   * replayed. {@code since} (at least -1, checked by the codec) beyond the room's last seq joins at the end.
   */
  public void join(RoomMember member, String name, Long since) {
    Set<String> joined = memberships.getOrDefault(member, Set.of());
    LocalRoom room = rooms.get(name);
    if (room != null && joined.contains(name)) {
      room.rejoin(member);
      return;
    }
    if (joined.size() >= maxRoomsPerConnection) {
      member.send(new WsMessage.Error(ErrorCode.TOO_MANY_ROOMS.wire(), "connection cap: this connection is in "
          + joined.size() + " rooms, the most allowed; leave one first", name, null));
      return;
    }
    if (room == null) {
      if (!slots.open(name)) {
        member.send(new WsMessage.Error(ErrorCode.TOO_MANY_ROOMS.wire(), "node cap: this backend node serves "
            + slots.max() + " rooms, the most allowed; try again later or on another backend", name, null));
        return;
      }
      room = new LocalRoom(vertx, context, hazelcast, sweeper, name);
      rooms.put(name, room);
      room.start();
    }
    memberships.computeIfAbsent(member, m -> new HashSet<>()).add(name);
    room.add(member, since);
  }

  public void leave(RoomMember member, String name) {
    Set<String> joined = memberships.get(member);
    if (joined == null || !joined.remove(name)) {
      return;
    }
    if (joined.isEmpty()) {
      memberships.remove(member);
    }
    removeFrom(member, name);
  }

  /** Removes a closed connection from every room. */
  public void leaveAll(RoomMember member) {
    Set<String> joined = memberships.remove(member);
    if (joined != null) {
      joined.forEach(name -> removeFrom(member, name));
    }
  }

  private void removeFrom(RoomMember member, String name) {
    LocalRoom room = rooms.get(name);
    if (room != null && room.remove(member)) {
      rooms.remove(name);
      slots.close(name);
    }
  }

  /** How many rooms the member is in on this backend. */
  public int roomsOf(RoomMember member) {
    return memberships.getOrDefault(member, Set.of()).size();
  }

  /**
   * Stores the message once per id, after the earlier publishes in {@code order} (the publishing
   * connection's); completes with its seq (the stored one for a repeated id) once it is stored. Fails
   * with a {@link RoomException} when the room would take the node past its cap.
   */
  public Future<Long> publish(RoomMember from, PublishOrder order, String name, Object id, Object data) {
    if (!slots.publish(name)) {
      return Future.failedFuture(new RoomException(ErrorCode.TOO_MANY_ROOMS, name, "node cap: this backend node "
          + "serves " + slots.max() + " rooms, the most allowed; try again later or on another backend"));
    }
    return publisher.publish(order, from.session(), name, id, data);
  }

  public void close() {
    vertx.cancelTimer(pollTimer);
    rooms.forEach((name, room) -> {
      room.stop();
      slots.close(name);
    });
    rooms.clear();
    memberships.clear();
  }
}
