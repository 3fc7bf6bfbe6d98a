package dev.switchboard.backend.impl;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.query.Predicates;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.switchboard.cluster.ClusterNames;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Keeps rooms alive while they are used and destroys them after the room TTL with no use anywhere
 * (a Hazelcast ringbuffer lives until destroyed). Every backend node writes, for each room it uses,
 * the time into {@link ClusterNames#ROOM_ACTIVITY_MAP} — before it first touches the room's ringbuffer,
 * and again every refresh period while it has members there — and every node periodically sweeps
 * the rooms whose time is older than the TTL.
 *
 * <p>A sweep destroys a room holding the map's lock on the room's key, after checking the time again.
 * A map write to a locked key waits for the unlock, so a join or publish that writes the activity first
 * either lands before the sweep's check (the room is kept) or after the destroy (it finds a new, empty
 * room whose seq starts at 0 again). The publish ids of a destroyed room are removed too, so a resend
 * cannot be acked with a seq of the old room.
 *
 * <p>The times are epoch milliseconds from each node's clock: node clocks must agree to well within the
 * TTL. A node that cannot write for three quarters of the TTL (frozen, cut off) may see a room it serves
 * destroyed; its members then get a {@code joined} with the new room's position.
 */
public final class RoomSweeper {

  private static final Logger log = LoggerFactory.getLogger(RoomSweeper.class);
  /** Rooms destroyed per sweep at most; the rest wait for the next sweep. */
  static final int SWEEP_BATCH = 1_000;
  /** Rooms per publish-id cleanup query (each scans the id map once). */
  static final int ID_CLEANUP_BATCH = 100;
  /** A sweeping node that dies keeps a room locked at most this long (Hazelcast frees a left member's locks anyway). */
  private static final long LOCK_LEASE_MS = 30_000;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final RoomSlots slots;
  private final long ttlMs;
  private final LongSupplier clock;
  private final IMap<String, Long> activity;
  private final IMap<String, Long> ids;
  /** Rooms whose ringbuffer was seen with an activity entry: no need to adopt them again. */
  private final Set<String> known = Collections.synchronizedSet(new HashSet<>());
  private long timer = -1;
  private boolean sweeping;

  /**
   * @param context where the sweeper's timers run
   * @param clock epoch milliseconds, the same clock as {@code slots}'
   */
  public RoomSweeper(Vertx vertx, Context context, HazelcastInstance hazelcast, RoomSlots slots, long ttlMs,
      LongSupplier clock) {
    this.vertx = vertx;
    this.context = context;
    this.hazelcast = hazelcast;
    this.slots = slots;
    this.ttlMs = ttlMs;
    this.clock = clock;
    this.activity = hazelcast.getMap(ClusterNames.ROOM_ACTIVITY_MAP);
    this.ids = hazelcast.getMap(ClusterNames.ROOM_IDS_MAP);
  }

  /** How often activity is rewritten and rooms swept: a quarter of the TTL, within 250 ms..60 s. */
  public static long periodMs(long ttlMs) {
    return Math.max(250, Math.min(60_000, ttlMs / 4));
  }

  /** Whether a room last active at {@code lastActiveMs} (null: no record) may be destroyed at {@code nowMs}. */
  public static boolean idle(Long lastActiveMs, long nowMs, long ttlMs) {
    return lastActiveMs != null && nowMs - lastActiveMs >= ttlMs;
  }

  /**
   * Which of the rooms the cluster map lists as idle this node tries to destroy now: not those it
   * serves itself, at most {@code max}, in random order (so nodes sweeping together rarely collide).
   */
  public static List<String> candidates(Map<String, Long> lastActive, Predicate<String> servedHere, long nowMs,
      long ttlMs, int max) {
    List<String> rooms = new ArrayList<>();
    lastActive.forEach((room, at) -> {
      if (idle(at, nowMs, ttlMs) && !servedHere.test(room)) {
        rooms.add(room);
      }
    });
    Collections.shuffle(rooms);
    return rooms.size() > max ? rooms.subList(0, max) : rooms;
  }

  public RoomSlots slots() {
    return slots;
  }

  public void start() {
    context.runOnContext(v -> timer = vertx.setPeriodic(periodMs(ttlMs), id -> {
      refresh();
      sweep();
    }));
  }

  public void stop() {
    context.runOnContext(v -> vertx.cancelTimer(timer));
  }

  /**
   * Records that this node uses the room now; completes once the cluster map has it. Waits while a
   * sweep holds the room, so the caller then finds either the room kept or a new one.
   */
  public Future<Void> touch(String room) {
    long now = clock.getAsLong();
    return Future.fromCompletionStage(activity.setAsync(room, now), vertx.getOrCreateContext())
        .onSuccess(v -> slots.written(room, now));
  }

  /** {@link #touch}, blocking: for a worker thread. */
  public void markInUse(String room) {
    long now = clock.getAsLong();
    activity.set(room, now);
    slots.written(room, now);
  }

  /** Rewrites the activity of every room this node uses. */
  void refresh() {
    long now = clock.getAsLong();
    for (String room : slots.due()) {
      activity.setAsync(room, now).whenComplete((v, e) -> {
        if (e == null) {
          slots.written(room, now);
        } else {
          log.debug("room {}: activity not written: {}", room, e.toString());
        }
      });
    }
  }

  private void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    vertx.executeBlocking(this::sweepOnce, false)
        .onComplete(ar -> {
          sweeping = false;
          if (ar.failed()) {
            log.warn("room sweep failed: {}", ar.cause().toString());
          } else if (ar.result() > 0) {
            log.info("destroyed {} rooms idle for {} ms", ar.result(), ttlMs);
          }
        });
  }

  /** One sweep (blocking): destroys rooms idle past the TTL, their publish ids, and adopts orphans. Returns how many. */
  int sweepOnce() {
    long now = clock.getAsLong();
    Map<String, Long> stale = new HashMap<>();
    for (Map.Entry<String, Long> e : activity.entrySet(Predicates.lessEqual("this", now - ttlMs))) {
      stale.put(e.getKey(), e.getValue());
    }
    List<String> destroyed = new ArrayList<>();
    for (String room : candidates(stale, slots::inUse, now, ttlMs, SWEEP_BATCH)) {
      if (destroyIfIdle(room)) {
        destroyed.add(room);
      }
    }
    for (int i = 0; i < destroyed.size(); i += ID_CLEANUP_BATCH) {
      List<String> batch = destroyed.subList(i, Math.min(destroyed.size(), i + ID_CLEANUP_BATCH));
      ids.removeAll(Predicates.regex("__key", PublishKey.roomsPattern(batch)));
    }
    destroyed.forEach(known::remove);
    adoptOrphans();
    return destroyed.size();
  }

  private boolean destroyIfIdle(String room) {
    boolean locked;
    try {
      locked = activity.tryLock(room, 0, TimeUnit.MILLISECONDS, LOCK_LEASE_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    if (!locked) {
      return false; // another node sweeps it right now
    }
    try {
      // checked again under the lock: a join or publish may have written since the query
      if (!idle(activity.get(room), clock.getAsLong(), ttlMs) || slots.inUse(room)) {
        return false;
      }
      hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + room).destroy();
      activity.delete(room);
      return true;
    } finally {
      activity.unlock(room);
    }
  }

  /**
   * A room ringbuffer without an activity entry (made before this sweeper existed, or by a node that
   * died between the two writes) gets one now, so it is swept after the TTL like any other.
   */
  private void adoptOrphans() {
    Set<String> rooms = new HashSet<>(roomBuffers(hazelcast));
    known.retainAll(rooms);
    rooms.removeAll(known);
    if (rooms.isEmpty()) {
      return;
    }
    Set<String> tracked = activity.getAll(rooms).keySet();
    long now = clock.getAsLong();
    for (String room : rooms) {
      if (!tracked.contains(room) && activity.putIfAbsent(room, now) == null) {
        log.info("room {}: no activity record; destroyed after {} ms unless used", room, ttlMs);
      }
    }
    known.addAll(rooms);
  }

  /** Room ringbuffers that exist in the cluster now (as far as this member knows). */
  public static Collection<String> roomBuffers(HazelcastInstance hazelcast) {
    List<String> rooms = new ArrayList<>();
    for (DistributedObject o : hazelcast.getDistributedObjects()) {
      if (o instanceof Ringbuffer<?> && o.getName().startsWith(ClusterNames.ROOM_PREFIX)) {
        rooms.add(o.getName().substring(ClusterNames.ROOM_PREFIX.length()));
      }
    }
    return rooms;
  }
}
