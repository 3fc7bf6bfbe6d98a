package dev.switchboard.backend.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.model.ErrorCode;
import dev.switchboard.model.WsCodec;
import dev.switchboard.model.WsMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Chat rooms across every backend. A room is a Hazelcast ringbuffer: its sequence is the room's
 * cluster-wide {@code seq} and its content the bounded history. Each backend delivers to its local
 * members only by reading the ringbuffer in order — event-bus pokes merely say "read now" — so every
 * member sees the room in {@code seq} order with no gap and no duplicate. A publish id is claimed in a
 * TTL'd map first, so a resend after failover is stored (and delivered) once and acked with the same seq.
 * A connection joins at most {@code maxRoomsPerConnection} rooms, and the node uses at most as many
 * rooms as its {@link RoomSlots} allow; {@link RoomSweeper} destroys rooms idle past the TTL.
 * Confined to one verticle's event loop.
 */
public final class RoomService {

  private static final Logger log = LoggerFactory.getLogger(RoomService.class);
  private static final int READ_BATCH = 100;
  private static final long ID_TTL_MS = 10 * 60_000;
  private static final long POLL_MS = 1_000;
  private static final int PENDING_RETRIES = 40;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final IMap<String, Long> ids;
  private final RoomSweeper sweeper;
  private final RoomSlots slots;
  private final int maxRoomsPerConnection;
  private final Map<String, Room> rooms = new HashMap<>();
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
    this.ids = hazelcast.getMap(ClusterNames.ROOM_IDS_MAP);
    this.sweeper = sweeper;
    this.slots = sweeper.slots();
    this.maxRoomsPerConnection = maxRoomsPerConnection;
    // a safety net for a lost poke: every active room is read at least once a second
    this.pollTimer = vertx.setPeriodic(POLL_MS, id -> rooms.values().forEach(Room::tick));
  }

  /**
   * Joins the member to the room, answering {@code joined} (or an {@code error} naming the room). A
   * member already in the room is answered {@code joined} with its current position and nothing is
   * replayed. {@code since} (at least -1, checked by the codec) beyond the room's last seq joins at the end.
   */
  public void join(RoomMember member, String name, Long since) {
    Set<String> joined = memberships.getOrDefault(member, Set.of());
    Room room = rooms.get(name);
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
      room = new Room(name);
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
    Room room = rooms.get(name);
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
   * Stores the message once per id; completes with its seq (the stored one for a repeated id). Fails
   * with a {@link RoomException} when the room would take the node past its cap.
   */
  public Future<Long> publish(RoomMember from, String name, Object id, Object data) {
    if (!slots.publish(name)) {
      return Future.failedFuture(new RoomException(ErrorCode.TOO_MANY_ROOMS, name, "node cap: this backend node "
          + "serves " + slots.max() + " rooms, the most allowed; try again later or on another backend"));
    }
    String key = PublishKey.of(name, id);
    String stored = new JsonObject().put("id", id).put("from", from.session()).put("data", data).encode();
    // a room this node has not marked in use lately is marked first, so no sweep destroys it under the write
    boolean mark = slots.stale(name);
    // ordered: a connection's publishes are claimed, so stored, in the order they came
    return vertx.executeBlocking(() -> {
      if (mark) {
        sweeper.markInUse(name);
      }
      return ids.putIfAbsent(key, -1L, ID_TTL_MS, TimeUnit.MILLISECONDS);
    }).compose(previous -> {
      Ringbuffer<String> buffer = hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + name);
      return previous == null
          ? store(name, key, buffer, stored)
          : storedSeq(name, key, id, buffer, stored, previous, PENDING_RETRIES);
    });
  }

  private Future<Long> store(String name, String key, Ringbuffer<String> buffer, String stored) {
    return Future.fromCompletionStage(buffer.addAsync(stored, OverflowPolicy.OVERWRITE), context)
        .compose(seq -> Future.fromCompletionStage(ids.setAsync(key, seq, ID_TTL_MS, TimeUnit.MILLISECONDS), context)
            .map(v -> seq))
        .onSuccess(seq -> vertx.eventBus().publish(ClusterNames.ROOM_POKE_PREFIX + name, seq));
  }

  /**
   * The seq of an id that another publish claimed (value -1 while it stores). If the claim stays
   * pending, its backend probably died between storing and recording the seq: look for the id in the
   * room itself, and store it only if it is not there.
   */
  private Future<Long> storedSeq(String name, String key, Object id, Ringbuffer<String> buffer, String stored,
      Long value, int retries) {
    if (value != null && value >= 0) {
      return Future.succeededFuture(value);
    }
    if (retries == 0) {
      return find(buffer, id).compose(found -> {
        if (found >= 0) {
          return Future.fromCompletionStage(ids.setAsync(key, found, ID_TTL_MS, TimeUnit.MILLISECONDS), context)
              .map(v -> found);
        }
        log.info("room {}: publish {} was claimed but never stored; storing it now", name, id);
        return store(name, key, buffer, stored);
      });
    }
    return vertx.timer(50)
        .compose(v -> Future.fromCompletionStage(ids.getAsync(key), context))
        .compose(v -> storedSeq(name, key, id, buffer, stored, v, retries - 1));
  }

  /** The seq at which the room holds a message with this id, or -1 (reads the whole, bounded, history). */
  private Future<Long> find(Ringbuffer<String> buffer, Object id) {
    return vertx.executeBlocking(() -> {
      long seq = buffer.headSequence();
      long tail = buffer.tailSequence();
      Object wanted = normalized(id);
      while (seq <= tail) {
        ReadResultSet<String> batch = buffer.readManyAsync(seq, 0, READ_BATCH, null).toCompletableFuture().get();
        for (int i = 0; i < batch.readCount(); i++) {
          if (wanted.equals(normalized(new JsonObject(batch.get(i)).getValue("id")))) {
            return batch.getSequence(i);
          }
        }
        if (batch.readCount() == 0) {
          break;
        }
        seq = batch.getNextSequenceToReadFrom();
      }
      return -1L;
    }, false);
  }

  /** Integer ids read back from JSON may be Integer or Long; compare them as longs. */
  private static Object normalized(Object id) {
    return id instanceof Number n ? (Object) n.longValue() : id;
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

  private static final class Cursor {
    long delivered;
    boolean live;
    boolean confirmed;
    /** Joins of the room repeated before the first was confirmed: each gets its own {@code joined}. */
    int repeats;
    /** A since beyond the feed's position was compared with the room's real tail. */
    boolean tailChecked;

    Cursor(long delivered) {
      this.delivered = delivered;
    }
  }

  /** One room as seen by this backend: its local members, each with the last seq it was sent. */
  private final class Room {
    private final String name;
    /** Taken once the room is marked in use (see {@link #open}); null before. */
    private Ringbuffer<String> buffer;
    private final Map<RoomMember, Cursor> members = new LinkedHashMap<>();
    private MessageConsumer<Object> pokes;
    /** The next seq the live feed reads; -1 until the room's tail is known. */
    private long next = -1;
    /** The message the feed read last (at {@code next - 1}); null when it has read none. */
    private String last;
    private boolean reading;
    private boolean opening;
    private boolean stopped;

    Room(String name) {
      this.name = name;
    }

    void start() {
      pokes = vertx.eventBus().consumer(ClusterNames.ROOM_POKE_PREFIX + name, m -> read());
      open();
    }

    /** Marks the room in use (waiting out a sweep that holds it), then finds where the live feed starts. */
    private void open() {
      opening = true;
      sweeper.touch(name)
          .recover(e -> {
            log.warn("room {}: not marked in use (the refresh retries): {}", name, e.toString());
            return Future.succeededFuture();
          })
          .compose(v -> {
            // only now: a proxy taken before a sweep destroyed the room would be a stale handle
            buffer = hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + name);
            return tail();
          })
          .onComplete(ar -> {
            opening = false;
            if (stopped) {
              return;
            }
            if (ar.failed()) {
              log.warn("room {}: cannot read its tail (retried): {}", name, ar.cause().toString());
              return;
            }
            next = ar.result() + 1;
            members.forEach(this::catchUp);
            read();
          });
    }

    /** The poll: reads the room, or retries opening it. */
    void tick() {
      if (next < 0) {
        if (!opening) {
          open();
        }
      } else {
        read();
      }
    }

    void stop() {
      stopped = true;
      if (pokes != null) {
        pokes.unregister();
      }
    }

    void add(RoomMember member, Long since) {
      // without since, the member starts live from the current end of the room
      Cursor cursor = new Cursor(since == null ? Long.MAX_VALUE : since);
      members.put(member, cursor);
      if (next >= 0) {
        catchUp(member, cursor);
      }
    }

    /** A join of a room the member is in already: no replay, just where it stands. */
    void rejoin(RoomMember member) {
      Cursor cursor = members.get(member);
      if (cursor.confirmed) {
        member.send(new WsMessage.Joined(name, cursor.delivered));
      } else {
        cursor.repeats++;
      }
    }

    private Future<Long> tail() {
      return vertx.executeBlocking(buffer::tailSequence, false);
    }

    /** Returns true when the room has no local member left. */
    boolean remove(RoomMember member) {
      members.remove(member);
      if (members.isEmpty()) {
        stop();
        return true;
      }
      return false;
    }

    /**
     * Replays what a member missed from the ringbuffer until it reaches the live feed's position;
     * only then (checked on the event loop, where the feed advances) does the feed take over, so
     * nothing the feed read meanwhile is skipped, and the cursor skips what was already sent.
     */
    private void catchUp(RoomMember member, Cursor cursor) {
      if (cursor.delivered == Long.MAX_VALUE) {
        cursor.delivered = next - 1;
      }
      if (!cursor.confirmed) {
        if (cursor.delivered > next - 1 && !cursor.tailChecked) {
          // a since beyond what the feed has read: the room may just be ahead of the feed, or the since
          // is beyond the room's end (a client's mistake, or a room destroyed and begun again): then the
          // member joins at the end
          cursor.tailChecked = true;
          tail().onComplete(ar -> {
            if (members.get(member) == cursor) {
              cursor.delivered = Math.min(cursor.delivered, ar.succeeded() ? ar.result() : next - 1);
              catchUp(member, cursor);
            }
          });
          return;
        }
        cursor.confirmed = true;
        for (int i = 0; i <= cursor.repeats; i++) {
          member.send(new WsMessage.Joined(name, cursor.delivered));
        }
      }
      if (cursor.delivered + 1 >= next) {
        cursor.live = true;
        return;
      }
      long from = cursor.delivered + 1;
      readFrom(from).onComplete(ar -> {
        if (members.get(member) != cursor) {
          return;
        }
        if (ar.failed()) {
          log.warn("room {}: replay to {} failed (retried): {}", name, member.session(), ar.cause().toString());
          vertx.setTimer(POLL_MS, id -> {
            if (members.get(member) == cursor) {
              catchUp(member, cursor);
            }
          });
          return;
        }
        Batch batch = ar.result();
        if (batch.readCount() == 0) {
          // the room holds less than the feed saw: it was begun again; the feed finds out and resets us
          cursor.live = true;
          read();
          return;
        }
        if (batch.first() > from) {
          gap(member, cursor, batch.first());
        }
        deliver(member, cursor, batch);
        catchUp(member, cursor);
      });
    }

    /** The member asked for messages the room no longer keeps: it is told, and continues from the oldest kept. */
    private void gap(RoomMember member, Cursor cursor, long head) {
      if (cursor.delivered + 1 < head) {
        member.send(new WsMessage.Error(ErrorCode.HISTORY_GAP.wire(), "room " + name + " keeps seq " + head
            + " onwards; earlier messages are gone", name, null));
        cursor.delivered = head - 1;
      }
    }

    /**
     * Reads what the room got since the feed's position and hands it to every live member. The read
     * starts one before the position, at the last message the feed saw: it must still be there, unchanged
     * — if not, the room was destroyed and begun again (see {@link #restarted}).
     */
    void read() {
      if (next < 0 || reading) {
        return;
      }
      reading = true;
      long from = Math.max(0, next - 1);
      readFrom(from).onComplete(ar -> {
        reading = false;
        if (ar.failed()) {
          log.debug("room {}: read failed: {}", name, ar.cause().toString());
          return;
        }
        Batch batch = ar.result();
        boolean overlaps = next > 0;
        if (overlaps && (batch.readCount() == 0
            || batch.first() == from && last != null && !last.equals(batch.items()[0]))) {
          restarted();
          return;
        }
        if (batch.readCount() == 0) {
          return;
        }
        if (batch.first() > next) {
          // the feed fell behind the room by more than its history
          members.forEach((m, c) -> {
            if (c.live) {
              gap(m, c, batch.first());
            }
          });
        }
        members.forEach((m, c) -> {
          if (c.live) {
            deliver(m, c, batch);
          }
        });
        next = batch.next();
        last = batch.items()[batch.readCount() - 1];
        if (batch.readCount() == READ_BATCH) {
          read();
        }
      });
    }

    private void deliver(RoomMember member, Cursor cursor, Batch batch) {
      for (int i = 0; i < batch.readCount(); i++) {
        long seq = batch.first() + i;
        if (seq > cursor.delivered) {
          member.sendEncoded(batch.frame(name, i));
          cursor.delivered = seq;
        }
      }
    }

    /**
     * Reads up to a batch from {@code from}. Hazelcast starts a read of a seq no longer kept at the
     * oldest one ({@link Batch#first()} then tells), and answers a read beyond the end with nothing.
     */
    private Future<Batch> readFrom(long from) {
      try {
        return Future.fromCompletionStage(buffer.readManyAsync(from, 0, READ_BATCH, null), context)
            .map(result -> Batch.of(result, from));
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }

    /**
     * The room's ringbuffer was destroyed while members were here (this node could not mark it in use
     * for most of the TTL, or the cluster lost its data) and begun again: everything in it is new, so
     * every member beyond its end starts before its first message, is told so with a {@code joined},
     * and the feed reads it from the start.
     */
    private void restarted() {
      reading = true;
      vertx.executeBlocking(() -> new long[] {buffer.headSequence(), buffer.tailSequence()}, false)
          .onComplete(ar -> {
            reading = false;
            if (ar.failed()) {
              log.debug("room {}: bounds not read: {}", name, ar.cause().toString());
              return;
            }
            long head = ar.result()[0];
            long tail = ar.result()[1];
            buffer = hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + name);
            log.warn("room {}: begun again (destroyed while in use here); its seq restarts", name);
            members.forEach((m, c) -> {
              if (c.delivered > tail && c.delivered != Long.MAX_VALUE) {
                c.delivered = head - 1;
                if (c.confirmed) {
                  m.send(new WsMessage.Joined(name, head - 1));
                }
              }
            });
            next = head;
            last = null;
            read();
          });
    }
  }

  /**
   * Items read from a ringbuffer: contiguous seqs from {@code first}; {@code next} is the seq after the
   * last one, or the seq asked for when nothing was read (Hazelcast then reports 0).
   */
  /**
   * Messages read from a room; {@code frames} holds each one's {@code message} frame once encoded, so
   * a fan-out to many members parses and encodes a message once, not once per member.
   */
  private record Batch(long first, String[] items, long next, String[] frames) {
    static Batch of(ReadResultSet<String> result, long from) {
      String[] items = new String[result.readCount()];
      for (int i = 0; i < items.length; i++) {
        items[i] = result.get(i);
      }
      long first = items.length == 0 ? from : result.getSequence(0);
      return new Batch(first, items, first + items.length, new String[items.length]);
    }

    /** The encoded {@code message} frame of item {@code i} of room {@code room}. */
    String frame(String room, int i) {
      if (frames[i] == null) {
        JsonObject m = new JsonObject(items[i]);
        frames[i] = WsCodec.encode(new WsMessage.RoomMessage(room, first + i, m.getValue("id"), m.getString("from"),
            m.getValue("data")));
      }
      return frames[i];
    }

    int readCount() {
      return items.length;
    }
  }
}
