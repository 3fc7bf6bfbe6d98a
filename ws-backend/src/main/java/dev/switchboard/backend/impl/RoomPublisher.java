package dev.switchboard.backend.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.ringbuffer.OverflowPolicy;
import com.hazelcast.ringbuffer.ReadResultSet;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.PublishClaim;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stores a publish in its room: two Hazelcast round trips before the ack, none of them blocking.
 * <ol>
 *   <li>claim the id ({@link PublishClaim}, one entry-processor call on the id's partition) — this may
 *   overlap the connection's earlier publishes;</li>
 *   <li>append to the room's ringbuffer, in the connection's turn ({@link PublishOrder}; publishes of the
 *   connection that queued up behind an append go out together in the next one): the ack follows this,
 *   so an ack means stored.</li>
 * </ol>
 * Then, not awaited: the id's seq is recorded (a resend finds it there) and the message itself is poked
 * to every backend with members in the room ({@link RoomPoke}). A room this node has not marked in use
 * for half a TTL is marked first (one more round trip, then). Runs on one verticle's event loop.
 */
final class RoomPublisher {

  private static final Logger log = LoggerFactory.getLogger(RoomPublisher.class);
  static final long ID_TTL_MS = 10 * 60_000;
  /** Polls of a claim still pending before the room's history is searched for the id (~2 s). */
  private static final int PENDING_RETRIES = 40;
  private static final long PENDING_POLL_MS = 50;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final RoomSweeper sweeper;
  private final IMap<String, Long> ids;
  private final PublishClaim claim = new PublishClaim(ID_TTL_MS);

  RoomPublisher(Vertx vertx, Context context, HazelcastInstance hazelcast, RoomSweeper sweeper) {
    this.vertx = vertx;
    this.context = context;
    this.hazelcast = hazelcast;
    this.sweeper = sweeper;
    this.ids = hazelcast.getMap(ClusterNames.ROOM_IDS_MAP);
  }

  /** Stores the message once per id, in {@code order}; completes with its seq (the stored one for a repeated id). */
  Future<Long> publish(PublishOrder order, String session, String name, Object id, Object data) {
    String key = PublishKey.of(name, id);
    String stored = new JsonObject().put("id", id).put("from", session).put("data", data).encode();
    // a room this node has not marked in use lately is marked first, so no sweep destroys it under the write
    Future<Void> marked = sweeper.slots().stale(name) ? sweeper.touch(name) : Future.succeededFuture();
    Future<Long> claimed = marked.compose(v -> Future.fromCompletionStage(ids.submitToKey(key, claim), context));
    return order.submit(name, stored, claimed, this::append).compose(outcome -> {
      if (outcome.appended()) {
        stored(name, key, outcome.seq(), stored);
        return Future.succeededFuture(outcome.seq());
      }
      return storedSeq(name, key, id, stored, outcome.seq(), PENDING_RETRIES);
    });
  }

  /** Once a message is stored: records its seq on the claim and pokes the room with it, neither awaited. */
  private void stored(String name, String key, long seq, String stored) {
    ids.setAsync(key, seq, ID_TTL_MS, TimeUnit.MILLISECONDS).whenComplete((v, e) -> {
      if (e != null) {
        // a resend then finds the id in the room's history (see storedSeq)
        log.debug("room {}: seq {} of a publish not recorded: {}", name, seq, e.toString());
      }
    });
    vertx.eventBus().publish(ClusterNames.ROOM_POKE_PREFIX + name, new RoomPoke(seq, stored).encode());
  }

  /** Appends in one call (contiguous seqs); completes with the last one's seq. */
  private Future<Long> append(String name, List<String> items) {
    Ringbuffer<String> buffer = buffer(name);
    return Future.fromCompletionStage(items.size() == 1 ? buffer.addAsync(items.get(0), OverflowPolicy.OVERWRITE)
        : buffer.addAllAsync(items, OverflowPolicy.OVERWRITE), context);
  }

  /**
   * A proxy per use: a kept one is dead once a sweep destroys the room. Taking it does not block: Hazelcast
   * (5.6) creates a missing proxy locally and announces it to the other members without waiting.
   */
  private Ringbuffer<String> buffer(String name) {
    return hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + name);
  }

  /**
   * The seq of an id that another publish claimed ({@link PublishClaim#PENDING} while it stores). If the
   * claim stays pending, its backend probably died between storing and recording the seq: look for the id
   * in the room itself, and store it only if it is not there.
   */
  private Future<Long> storedSeq(String name, String key, Object id, String stored, Long value, int retries) {
    if (value != null && value >= 0) {
      return Future.succeededFuture(value);
    }
    if (retries == 0) {
      return find(name, id).compose(found -> {
        if (found >= 0) {
          return Future.fromCompletionStage(ids.setAsync(key, found, ID_TTL_MS, TimeUnit.MILLISECONDS), context)
              .map(v -> found);
        }
        log.info("room {}: publish {} was claimed but never stored; storing it now", name, id);
        return append(name, List.of(stored)).onSuccess(seq -> stored(name, key, seq, stored));
      });
    }
    return vertx.timer(PENDING_POLL_MS)
        .compose(v -> Future.fromCompletionStage(ids.getAsync(key), context))
        .compose(v -> storedSeq(name, key, id, stored, v, retries - 1));
  }

  /** The seq at which the room holds a message with this id, or -1 (reads the whole, bounded, history). */
  private Future<Long> find(String name, Object id) {
    return vertx.executeBlocking(() -> {
      Ringbuffer<String> buffer = buffer(name);
      long seq = buffer.headSequence();
      long tail = buffer.tailSequence();
      Object wanted = normalized(id);
      while (seq <= tail) {
        ReadResultSet<String> batch = buffer.readManyAsync(seq, 0, LocalRoom.READ_BATCH, null)
            .toCompletableFuture().get();
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
}
