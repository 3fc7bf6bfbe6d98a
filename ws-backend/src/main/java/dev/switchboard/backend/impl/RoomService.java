package dev.switchboard.backend.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.model.ErrorCode;
import dev.switchboard.model.WsMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Chat rooms across every backend. A room is a Hazelcast ringbuffer: its sequence is the room's
 * cluster-wide {@code seq} and its content the bounded history. Each backend delivers to its local
 * members only by reading the ringbuffer in order — event-bus pokes merely say "read now" — so every
 * member sees the room in {@code seq} order with no gap and no duplicate. A publish id is claimed in a
 * TTL'd map first, so a resend after failover is stored (and delivered) once and acked with the same seq.
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
  private final Map<String, Room> rooms = new HashMap<>();
  private final long pollTimer;

  public RoomService(Vertx vertx, Context context, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.context = context;
    this.hazelcast = hazelcast;
    this.ids = hazelcast.getMap(ClusterNames.ROOM_IDS_MAP);
    // a safety net for a lost poke: every active room is read at least once a second
    this.pollTimer = vertx.setPeriodic(POLL_MS, id -> rooms.values().forEach(Room::read));
  }

  public void join(RoomMember member, String name, Long since) {
    Room room = rooms.get(name);
    if (room == null) {
      room = new Room(name);
      rooms.put(name, room);
      room.start();
    }
    room.add(member, since);
  }

  public void leave(RoomMember member, String name) {
    Room room = rooms.get(name);
    if (room != null && room.remove(member)) {
      rooms.remove(name);
    }
  }

  /** Removes a closed connection from every room. */
  public void leaveAll(RoomMember member) {
    for (String name : rooms.keySet().toArray(String[]::new)) {
      leave(member, name);
    }
  }

  /** Stores the message once per id; completes with its seq (the stored one for a repeated id). */
  public Future<Long> publish(RoomMember from, String name, Object id, Object data) {
    String key = name + "\u0000" + id;
    Ringbuffer<String> buffer = hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + name);
    String stored = new JsonObject().put("id", id).put("from", from.session()).put("data", data).encode();
    return vertx.executeBlocking(() -> ids.putIfAbsent(key, -1L, ID_TTL_MS, TimeUnit.MILLISECONDS))
        .compose(previous -> previous == null
            ? store(name, key, buffer, stored)
            : storedSeq(name, key, id, buffer, stored, previous, PENDING_RETRIES));
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
    });
  }

  /** Integer ids read back from JSON may be Integer or Long; compare them as longs. */
  private static Object normalized(Object id) {
    return id instanceof Number n ? (Object) n.longValue() : id;
  }

  public void close() {
    vertx.cancelTimer(pollTimer);
    rooms.values().forEach(Room::stop);
    rooms.clear();
  }

  private static final class Cursor {
    long delivered;
    boolean live;
    boolean confirmed;

    Cursor(long delivered) {
      this.delivered = delivered;
    }
  }

  /** One room as seen by this backend: its local members, each with the last seq it was sent. */
  private final class Room {
    private final String name;
    private final Ringbuffer<String> buffer;
    private final Map<RoomMember, Cursor> members = new LinkedHashMap<>();
    private MessageConsumer<Object> pokes;
    /** The next seq the live feed reads; -1 until the room's tail is known. */
    private long next = -1;
    private boolean reading;

    Room(String name) {
      this.name = name;
      this.buffer = hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + name);
    }

    void start() {
      pokes = vertx.eventBus().consumer(ClusterNames.ROOM_POKE_PREFIX + name, m -> read());
      vertx.executeBlocking(buffer::tailSequence).onSuccess(tail -> {
        next = tail + 1;
        members.forEach((m, c) -> catchUp(m, c));
        read();
      }).onFailure(e -> log.warn("room {}: cannot read its tail: {}", name, e.toString()));
    }

    void stop() {
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
        cursor.confirmed = true;
        member.send(new WsMessage.Joined(name, cursor.delivered));
      }
      if (cursor.delivered + 1 >= next) {
        cursor.live = true;
        return;
      }
      long from = cursor.delivered + 1;
      readFrom(from).onSuccess(batch -> {
        if (members.containsKey(member)) {
          if (batch.readCount() == 0) {
            cursor.live = true;
            return;
          }
          if (batch.first() > from) {
            gap(member, cursor, batch.first());
          }
          deliver(member, cursor, batch);
          catchUp(member, cursor);
        }
      }).onFailure(e -> member.send(new WsMessage.Error(ErrorCode.BAD_MESSAGE.wire(),
          "cannot replay room " + name + ": " + e.getMessage(), name, null)));
    }

    /** The member asked for messages the room no longer keeps: it is told, and continues from the oldest kept. */
    private void gap(RoomMember member, Cursor cursor, long head) {
      if (cursor.delivered + 1 < head) {
        member.send(new WsMessage.Error(ErrorCode.HISTORY_GAP.wire(), "room " + name + " keeps seq " + head
            + " onwards; earlier messages are gone", name, null));
        cursor.delivered = head - 1;
      }
    }

    /** Reads what the room got since the feed's position and hands it to every live member. */
    void read() {
      if (next < 0 || reading) {
        return;
      }
      reading = true;
      readFrom(next).onComplete(ar -> {
        reading = false;
        if (ar.failed()) {
          log.debug("room {}: read failed: {}", name, ar.cause().toString());
          return;
        }
        Batch batch = ar.result();
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
        if (batch.readCount() == READ_BATCH) {
          read();
        }
      });
    }

    private void deliver(RoomMember member, Cursor cursor, Batch batch) {
      for (int i = 0; i < batch.readCount(); i++) {
        long seq = batch.first() + i;
        if (seq > cursor.delivered) {
          JsonObject m = new JsonObject(batch.items()[i]);
          member.send(new WsMessage.RoomMessage(name, seq, m.getValue("id"), m.getString("from"), m.getValue("data")));
          cursor.delivered = seq;
        }
      }
    }

    /**
     * Reads up to a batch from {@code from}. Hazelcast starts a read of a seq no longer kept at the
     * oldest one ({@link Batch#first()} then tells), and answers a read at or beyond the end with
     * nothing and a next seq of 0.
     */
    private Future<Batch> readFrom(long from) {
      return Future.fromCompletionStage(buffer.readManyAsync(from, 0, READ_BATCH, null), context)
          .map(result -> Batch.of(result, from));
    }
  }

  /**
   * Items read from a ringbuffer: contiguous seqs from {@code first}; {@code next} is the seq after the
   * last one, or the seq asked for when nothing was read (Hazelcast then reports 0).
   */
  private record Batch(long first, String[] items, long next) {
    static Batch of(ReadResultSet<String> result, long from) {
      String[] items = new String[result.readCount()];
      for (int i = 0; i < items.length; i++) {
        items[i] = result.get(i);
      }
      long first = items.length == 0 ? from : result.getSequence(0);
      return new Batch(first, items, first + items.length);
    }

    int readCount() {
      return items.length;
    }
  }
}
