package dev.switchboard.backend.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import dev.switchboard.cluster.ClusterNames;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link RoomService} and {@link RoomSweeper} against a real (single, unjoined) Hazelcast member, with
 * the sweeper's clock in the test's hands: caps, repeated joins, {@code since} beyond the end, typed
 * publish ids, and rooms destroyed after the TTL — safely against joins that meet the sweep.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RoomsOnHazelcastTest {

  private static final long TTL = 60_000;
  private static final int PER_CONNECTION = 3;
  private static final int PER_NODE = 5;

  private static HazelcastInstance hazelcast;
  private static Vertx vertx;
  private static IMap<String, Long> activity;
  private static IMap<String, Long> ids;

  private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
  private Context context;
  private RoomSlots slots;
  private RoomSweeper sweeper;
  private RoomService service;

  @BeforeAll
  static void startMember() {
    hazelcast = RoomTestMember.standaloneHazelcast("rooms-test");
    activity = hazelcast.getMap(ClusterNames.ROOM_ACTIVITY_MAP);
    ids = hazelcast.getMap(ClusterNames.ROOM_IDS_MAP);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopMember() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (hazelcast != null) {
      hazelcast.shutdown();
    }
  }

  @BeforeEach
  void newNode() throws Exception {
    // each test starts from an empty cluster: no rooms, no activity, no ids
    RoomSweeper.roomBuffers(hazelcast).forEach(r -> hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + r).destroy());
    activity.clear();
    ids.clear();
    context = vertx.getOrCreateContext();
    slots = new RoomSlots(PER_NODE, TTL, now::get);
    sweeper = new RoomSweeper(vertx, context, hazelcast, slots, TTL, now::get);
    service = on(() -> new RoomService(vertx, context, hazelcast, sweeper, PER_CONNECTION));
  }

  @AfterEach
  void closeNode() throws Exception {
    run(service::close);
  }

  private static String room() {
    return "r-" + UUID.randomUUID();
  }

  private <T> T on(Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(action.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  private void run(Runnable action) throws Exception {
    on(() -> {
      action.run();
      return null;
    });
  }

  private long publish(RoomTestMember from, String room, Object id, Object data) throws Exception {
    Future<Long> seq = on(() -> service.publish(from, from.order, room, id, data));
    return seq.await(10, TimeUnit.SECONDS);
  }

  private static boolean exists(String room) {
    return RoomSweeper.roomBuffers(hazelcast).contains(room);
  }

  @Test
  void aMessageIsEncodedOnceForAllTheMembersItIsDeliveredTo() throws Exception {
    String room = room();
    List<RoomTestMember> members = List.of(new RoomTestMember(), new RoomTestMember(), new RoomTestMember());
    for (RoomTestMember m : members) {
      run(() -> service.join(m, room, null));
      m.joined(room);
    }
    long seq = publish(members.get(0), room, "once", "payload");
    String first = null;
    for (RoomTestMember m : members) {
      JsonObject message = m.next("message");
      assertEquals(seq, message.getLong("seq"));
      assertEquals("payload", message.getString("data"));
      String frame = m.encoded.poll(10, TimeUnit.SECONDS);
      if (first == null) {
        first = frame;
      } else {
        // the same String instance: parsed and encoded once, not once per member
        assertTrue(first == frame, "each member got its own encoding");
      }
    }
  }

  @Test
  void aJoinPastTheConnectionCapIsRefusedWithTooManyRoomsNamingTheRoom() throws Exception {
    RoomTestMember m = new RoomTestMember();
    List<String> rooms = new ArrayList<>();
    for (int i = 0; i < PER_CONNECTION; i++) {
      String room = room();
      rooms.add(room);
      run(() -> service.join(m, room, null));
      m.joined(room);
    }
    String extra = room();
    run(() -> service.join(m, extra, null));
    JsonObject error = m.next("error");
    assertEquals("too-many-rooms", error.getString("code"));
    assertEquals(extra, error.getString("room"));
    assertTrue(error.getString("message").startsWith("connection cap"), error.encode());
    assertFalse(exists(extra), "a refused join makes no ringbuffer");
    run(() -> service.leave(m, rooms.get(0)));
    run(() -> service.join(m, extra, null));
    assertEquals(-1, m.joined(extra), "a slot left is a slot free");
  }

  @Test
  void aNewRoomPastTheNodeCapIsRefusedWhileTheRoomsInUseStillTakeMembers() throws Exception {
    List<String> rooms = new ArrayList<>();
    for (int i = 0; i < PER_NODE; i++) {
      RoomTestMember m = new RoomTestMember();
      String room = room();
      rooms.add(room);
      run(() -> service.join(m, room, null));
      m.joined(room);
    }
    RoomTestMember late = new RoomTestMember();
    String extra = room();
    run(() -> service.join(late, extra, null));
    JsonObject error = late.next("error");
    assertEquals("too-many-rooms", error.getString("code"));
    assertTrue(error.getString("message").startsWith("node cap"), error.encode());
    Future<Long> refused = on(() -> service.publish(late, late.order, extra, "p-1", 1));
    RoomException e = (RoomException) refused.transform(ar -> Future.succeededFuture(ar.cause()))
        .await(10, TimeUnit.SECONDS);
    assertEquals("too-many-rooms", e.toFrame("p-1").code());
    assertEquals("p-1", e.toFrame("p-1").id());
    run(() -> service.join(late, rooms.get(0), null));
    late.joined(rooms.get(0));
    assertFalse(exists(extra));
  }

  @Test
  void aRepeatedJoinAnswersTheCurrentPositionAndReplaysNothing() throws Exception {
    RoomTestMember writer = new RoomTestMember();
    RoomTestMember m = new RoomTestMember();
    String room = room();
    for (int i = 0; i < 3; i++) {
      publish(writer, room, "h-" + i, i);
    }
    run(() -> service.join(m, room, -1L));
    assertEquals(-1, m.joined(room), "since -1: from the first message");
    for (int seq = 0; seq < 3; seq++) {
      assertEquals(seq, m.next("message").getLong("seq"));
    }
    run(() -> service.join(m, room, -1L));
    assertEquals(2, m.joined(room), "where the member stands");
    publish(writer, room, "live", "x");
    JsonObject live = m.next("message");
    assertEquals("live", live.getString("id"));
    assertEquals(3, live.getLong("seq"));
    assertTrue(m.frames.isEmpty(), "no replay, no duplicate: " + m.frames);
    assertEquals(1, on(() -> service.roomsOf(m)));
  }

  @Test
  void aSinceBeyondTheRoomsEndJoinsAtTheEnd() throws Exception {
    RoomTestMember writer = new RoomTestMember();
    RoomTestMember m = new RoomTestMember();
    String room = room();
    publish(writer, room, "a", 1);
    publish(writer, room, "b", 2);
    run(() -> service.join(m, room, 50L));
    assertEquals(1, m.joined(room));
    publish(writer, room, "c", 3);
    assertEquals(2, m.next("message").getLong("seq"));
  }

  @Test
  void aSinceOlderThanTheHistoryGetsHistoryGapNamingTheRoomThenTheOldestKept() throws Exception {
    String room = room();
    List<String> items = new ArrayList<>();
    int total = ClusterNames.ROOM_HISTORY + 5;
    for (int i = 0; i < total; i++) {
      items.add(new JsonObject().put("id", "h-" + i).put("from", "s").put("data", i).encode());
    }
    activity.set(room, now.get());
    for (int i = 0; i < total; i += 500) {
      hazelcast.<String>getRingbuffer(ClusterNames.ROOM_PREFIX + room).addAllAsync(items.subList(i, Math.min(total, i + 500)),
          com.hazelcast.ringbuffer.OverflowPolicy.OVERWRITE).toCompletableFuture().get();
    }
    RoomTestMember m = new RoomTestMember();
    run(() -> service.join(m, room, 0L));
    assertEquals(0, m.joined(room));
    JsonObject gap = m.next("error");
    assertEquals("history-gap", gap.getString("code"));
    assertEquals(room, gap.getString("room"));
    for (long seq = 5; seq < total; seq++) {
      assertEquals(seq, m.next("message").getLong("seq"));
    }
  }

  @Test
  void aQuietRoomIsNotReadAgainFromItsStart() throws Exception {
    RoomTestMember m = new RoomTestMember();
    String room = room();
    publish(m, room, "a", 1);
    run(() -> service.join(m, room, -1L));
    m.joined(room);
    assertEquals(0, m.next("message").getLong("seq"));
    publish(m, room, "b", 2);
    assertEquals(1, m.next("message").getLong("seq"));
    // polls and pokes of a room with nothing new deliver nothing (and do not start over)
    assertNull(m.frames.poll(2_500, TimeUnit.MILLISECONDS));
    publish(m, room, "c", 3);
    assertEquals(2, m.next("message").getLong("seq"));
  }

  @Test
  void aConnectionsPublishesAreStoredInTheOrderItSentThem() throws Exception {
    RoomTestMember writer = new RoomTestMember();
    String room = room();
    // all sent at once, the first ones before the new room is even marked in use
    List<Future<Long>> seqs = on(() -> {
      List<Future<Long>> all = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        all.add(service.publish(writer, writer.order, room, "o-" + i, i));
      }
      return all;
    });
    for (int i = 0; i < 50; i++) {
      assertEquals(i, seqs.get(i).await(10, TimeUnit.SECONDS), "publish o-" + i);
    }
  }

  @Test
  void theIntegerSevenAndTheStringSevenAreTwoMessagesAndEachRepeatIsStoredOnce() throws Exception {
    RoomTestMember writer = new RoomTestMember();
    String room = room();
    long number = publish(writer, room, 7L, "number");
    long text = publish(writer, room, "7", "text");
    assertNotEquals(number, text);
    assertEquals(number, publish(writer, room, 7L, "number again"));
    assertEquals(text, publish(writer, room, "7", "text again"));
    assertEquals(2, hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + room).size());
  }

  @Test
  void anIdleRoomIsDestroyedWithItsPublishIdsOnceTheTtlHasPassed() throws Exception {
    RoomTestMember m = new RoomTestMember();
    String room = room();
    run(() -> service.join(m, room, null));
    m.joined(room);
    assertEquals(0, publish(m, room, "m-1", "first life"));
    m.next("message");
    run(() -> service.leave(m, room));
    now.addAndGet(TTL - 1);
    assertEquals(0, sweeper.sweepOnce());
    assertTrue(exists(room), "kept for the TTL after its last use");
    now.addAndGet(1);
    assertEquals(1, sweeper.sweepOnce());
    assertFalse(exists(room));
    assertNull(activity.get(room));
    assertNull(ids.get(PublishKey.of(room, "m-1")), "its publish ids are gone with it");

    // a join after the destroy finds a new room: its seq starts again; an old since joins at its end
    run(() -> service.join(m, room, 0L));
    assertEquals(-1, m.joined(room));
    assertEquals(0, publish(m, room, "m-1", "second life"), "the old id does not ack the old seq");
    assertEquals("second life", m.next("message").getString("data"));
  }

  @Test
  void aRoomWithMembersHereIsNeverSweptAndOneInUseElsewhereIsKept() throws Exception {
    RoomTestMember m = new RoomTestMember();
    String here = room();
    run(() -> service.join(m, here, null));
    m.joined(here);
    String elsewhere = room();
    hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + elsewhere).add("{}");
    now.addAndGet(2 * TTL);
    activity.set(elsewhere, now.get() - TTL / 2); // another node wrote it half a TTL ago
    assertEquals(0, sweeper.sweepOnce());
    assertTrue(exists(here));
    assertTrue(exists(elsewhere));
  }

  @Test
  void aJoinThatMeetsASweepWaitsForItAndThenFindsANewRoom() throws Exception {
    RoomTestMember writer = new RoomTestMember();
    String room = room();
    publish(writer, room, "old", 1);
    // another node's sweep holds the room (its key locked) while it destroys it
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread otherNode = new Thread(() -> {
      activity.lock(room);
      try {
        locked.countDown();
        release.await();
        hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + room).destroy();
        activity.delete(room);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        activity.unlock(room);
      }
    });
    otherNode.start();
    assertTrue(locked.await(10, TimeUnit.SECONDS));
    RoomTestMember m = new RoomTestMember();
    run(() -> service.join(m, room, null));
    assertNull(m.frames.poll(300, TimeUnit.MILLISECONDS), "the join waits while the sweep holds the room");
    release.countDown();
    otherNode.join(10_000);
    assertEquals(-1, m.joined(room), "it joins the room begun again, not the destroyed one");
    assertEquals(0, publish(writer, room, "new", 2));
    assertEquals("new", m.next("message").getString("id"));
    assertTrue(activity.containsKey(room), "and marks it in use");
  }

  @Test
  void aRoomDestroyedUnderItsMembersBeginsAgainAndTellsThem() throws Exception {
    RoomTestMember m = new RoomTestMember();
    String room = room();
    run(() -> service.join(m, room, null));
    m.joined(room);
    for (int i = 0; i < 3; i++) {
      publish(m, room, "a-" + i, i);
      m.next("message");
    }
    // a node that could not mark the room for most of a TTL: another node destroyed it
    hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + room).destroy();
    assertEquals(0, publish(m, room, "b-0", "after"));
    assertEquals(-1, m.joined(room), "an unasked joined: the room restarted before seq 0");
    JsonObject after = m.next("message");
    assertEquals(0, after.getLong("seq"));
    assertEquals("b-0", after.getString("id"));
  }

  @Test
  void aRingbufferWithoutActivityIsAdoptedAndDestroyedATtlLater() throws Exception {
    String orphan = room();
    hazelcast.getRingbuffer(ClusterNames.ROOM_PREFIX + orphan).add("{}");
    assertEquals(0, sweeper.sweepOnce());
    assertEquals(now.get(), activity.get(orphan));
    now.addAndGet(TTL);
    assertEquals(1, sweeper.sweepOnce());
    assertFalse(exists(orphan));
  }
}
