package dev.switchboard.backend.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.model.ErrorCode;
import dev.switchboard.model.WsMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One room as seen by one backend verticle: its local members, each with the last seq it was sent, and
 * the room's live feed. Pokes carry each stored message, so the feed hands it to the live members
 * without reading the ringbuffer ({@link RoomFeed} keeps them in seq order); the ringbuffer is read to
 * fill a gap, to replay a joining member's {@code since}, and once a second as a safety net. Confined to
 * the verticle's event loop.
 */
final class LocalRoom {

  private static final Logger log = LoggerFactory.getLogger(LocalRoom.class);
  static final int READ_BATCH = 100;
  /** How long a gap before held pokes may stay open (its poke late) before the feed reads the ringbuffer. */
  static final long GAP_WAIT_MS = 10;
  private static final long RETRY_MS = 1_000;

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

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final RoomSweeper sweeper;
  private final String name;
  private final Map<RoomMember, Cursor> members = new LinkedHashMap<>();
  private final RoomFeed feed = new RoomFeed();
  private MessageConsumer<Object> pokes;
  private boolean reading;
  /** Something asked for a read while one was in flight: read again once it completes. */
  private boolean readAgain;
  private boolean opening;
  private boolean stopped;
  private long gapTimer = -1;

  LocalRoom(Vertx vertx, Context context, HazelcastInstance hazelcast, RoomSweeper sweeper, String name) {
    this.vertx = vertx;
    this.context = context;
    this.hazelcast = hazelcast;
    this.sweeper = sweeper;
    this.name = name;
  }

  void start() {
    pokes = vertx.eventBus().consumer(ClusterNames.ROOM_POKE_PREFIX + name, m -> poked(m.body()));
    open();
  }

  /**
   * Marks the room in use (waiting out a sweep that holds it) and subscribes to its pokes, then finds
   * where the live feed starts.
   */
  private void open() {
    opening = true;
    sweeper.touch(name)
        .recover(e -> {
          log.warn("room {}: not marked in use (the refresh retries): {}", name, e.toString());
          return Future.succeededFuture();
        })
        .compose(v -> pokes.completion())
        .compose(v -> tail())
        .onComplete(ar -> {
          opening = false;
          if (stopped) {
            return;
          }
          if (ar.failed()) {
            log.warn("room {}: cannot read its tail (retried): {}", name, ar.cause().toString());
            return;
          }
          feed.start(ar.result() + 1);
          members.forEach(this::catchUp);
          read();
        });
  }

  /** The poll: reads the room, or retries opening it. */
  void tick() {
    if (!feed.started()) {
      if (!opening) {
        open();
      }
    } else {
      read();
    }
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(gapTimer);
    if (pokes != null) {
      pokes.unregister();
    }
  }

  void add(RoomMember member, Long since) {
    // without since, the member starts live from the current end of the room
    Cursor cursor = new Cursor(since == null ? Long.MAX_VALUE : since);
    members.put(member, cursor);
    if (feed.started()) {
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

  /** Returns true when the room has no local member left. */
  boolean remove(RoomMember member) {
    members.remove(member);
    if (members.isEmpty()) {
      stop();
      return true;
    }
    return false;
  }

  /** The room's ringbuffer, looked up for each use: a proxy kept across a sweep's destroy would be dead. */
  private Ringbuffer<String> buffer() {
    return hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + name);
  }

  /** The room's last seq (-1 when empty). Ringbuffer has no asynchronous tail: read on a worker. */
  private Future<Long> tail() {
    return vertx.executeBlocking(() -> buffer().tailSequence(), false);
  }

  /**
   * Replays what a member missed from the ringbuffer until it reaches the live feed's position;
   * only then (checked on the event loop, where the feed advances) does the feed take over, so
   * nothing the feed handed out meanwhile is skipped, and the cursor skips what was already sent.
   */
  private void catchUp(RoomMember member, Cursor cursor) {
    long next = feed.next();
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
            cursor.delivered = Math.min(cursor.delivered, ar.succeeded() ? ar.result() : feed.next() - 1);
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
        vertx.setTimer(RETRY_MS, id -> {
          if (members.get(member) == cursor) {
            catchUp(member, cursor);
          }
        });
        return;
      }
      RoomBatch batch = ar.result();
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

  /** A poke: the message it carries goes out now if it continues the feed; a gap waits briefly, then is read. */
  private void poked(Object body) {
    RoomPoke poke = RoomPoke.decode(body);
    if (poke == null) {
      read();
      return;
    }
    switch (feed.offer(poke.seq(), poke.item())) {
      case DELIVER -> {
        if (!reading) {
          handOut(feed.take());
        }
      }
      case AWAIT_GAP -> {
        if (gapTimer < 0) {
          gapTimer = vertx.setTimer(GAP_WAIT_MS, id -> {
            gapTimer = -1;
            if (feed.gapOpen()) {
              read();
            }
          });
        }
      }
      case READ -> read();
      case NONE -> {
      }
    }
  }

  private void handOut(RoomBatch batch) {
    if (batch.readCount() == 0) {
      return;
    }
    members.forEach((m, c) -> {
      if (c.live) {
        deliver(m, c, batch);
      }
    });
  }

  /**
   * Reads what the room got since the feed's position and hands it to every live member. The read
   * starts one before the position, at the last message handed out: it must still be there, unchanged
   * — if not, the room was destroyed and begun again (see {@link #restarted}).
   */
  void read() {
    if (!feed.started() || stopped) {
      return;
    }
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    long next = feed.next();
    long from = Math.max(0, next - 1);
    long last = feed.last();
    readFrom(from).onComplete(ar -> {
      reading = false;
      if (ar.failed()) {
        // not read again at once (a cluster in trouble would see a loop of reads): the poll retries
        log.debug("room {}: read failed: {}", name, ar.cause().toString());
        readAgain = false;
        handOut(feed.take());
        return;
      }
      RoomBatch batch = ar.result();
      if (next > 0 && (batch.readCount() == 0
          || batch.first() == from && last != RoomFeed.UNKNOWN && last != RoomFeed.fingerprint(batch.items()[0]))) {
        restarted();
        return;
      }
      if (batch.readCount() > 0) {
        if (batch.first() > next) {
          // the feed fell behind the room by more than its history
          members.forEach((m, c) -> {
            if (c.live) {
              gap(m, c, batch.first());
            }
          });
        }
        handOut(batch);
        feed.advance(batch);
      }
      if (batch.readCount() == READ_BATCH) {
        read();
      } else {
        afterRead();
      }
    });
  }

  /** Hands out what pokes brought during the read, and reads again if that was asked or a gap stays open. */
  private void afterRead() {
    handOut(feed.take());
    if (readAgain || feed.gapOpen()) {
      readAgain = false;
      read();
    }
  }

  private void deliver(RoomMember member, Cursor cursor, RoomBatch batch) {
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
   * oldest one ({@link RoomBatch#first()} then tells), and answers a read beyond the end with nothing.
   */
  private Future<RoomBatch> readFrom(long from) {
    try {
      return Future.fromCompletionStage(buffer().readManyAsync(from, 0, READ_BATCH, null), context)
          .map(result -> RoomBatch.of(result, from));
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
    vertx.executeBlocking(() -> {
      Ringbuffer<String> buffer = buffer();
      return new long[] {buffer.headSequence(), buffer.tailSequence()};
    }, false).onComplete(ar -> {
      reading = false;
      if (ar.failed()) {
        log.debug("room {}: bounds not read: {}", name, ar.cause().toString());
        return;
      }
      long head = ar.result()[0];
      long tail = ar.result()[1];
      log.warn("room {}: begun again (destroyed while in use here); its seq restarts", name);
      members.forEach((m, c) -> {
        if (c.delivered > tail && c.delivered != Long.MAX_VALUE) {
          c.delivered = head - 1;
          if (c.confirmed) {
            m.send(new WsMessage.Joined(name, head - 1));
          }
        }
      });
      feed.start(head);
      readAgain = false;
      read();
    });
  }
}
