package dev.switchboard.backend.impl;

import com.hazelcast.core.HazelcastInstance;
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

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The delivery path on a real Hazelcast member: a poke carries its message to the members without a
 * read of the ringbuffer; a lost poke leaves a gap that a read fills, in order, without a duplicate.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class RoomPokesTest {

  private static HazelcastInstance hazelcast;
  private static Vertx vertx;

  private Context context;
  private RoomService service;

  @BeforeAll
  static void startMember() {
    hazelcast = RoomTestMember.standaloneHazelcast("room-pokes-test");
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
    context = vertx.getOrCreateContext();
    RoomSweeper sweeper = new RoomSweeper(vertx, context, hazelcast, new RoomSlots(10, 60_000, System::currentTimeMillis),
        60_000, System::currentTimeMillis);
    CompletableFuture<RoomService> made = new CompletableFuture<>();
    context.runOnContext(v -> made.complete(new RoomService(vertx, context, hazelcast, sweeper, 10)));
    service = made.get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeNode() {
    context.runOnContext(v -> service.close());
  }

  private RoomTestMember joined(String room) throws Exception {
    RoomTestMember m = new RoomTestMember();
    context.runOnContext(v -> service.join(m, room, null));
    assertEquals(-1, m.joined(room));
    return m;
  }

  private long publish(RoomTestMember from, String room, String id) throws Exception {
    CompletableFuture<Future<Long>> started = new CompletableFuture<>();
    context.runOnContext(v -> started.complete(service.publish(from, from.order, room, id, id)));
    return started.get(10, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
  }

  private static String stored(String id) {
    return new JsonObject().put("id", id).put("from", "elsewhere").put("data", id).encode();
  }

  @Test
  void aPokeHandsItsMessageOutWithoutReadingTheRingbuffer() throws Exception {
    String room = "r-" + UUID.randomUUID();
    RoomTestMember m = joined(room);
    // a message that only the poke holds: the member can get it from nowhere else
    vertx.eventBus().publish(ClusterNames.ROOM_POKE_PREFIX + room, new RoomPoke(0, stored("only-poked")).encode());
    JsonObject message = m.next("message");
    assertEquals(0, message.getLong("seq"));
    assertEquals("only-poked", message.getString("id"));
  }

  @Test
  void aLostPokeIsFilledFromTheRingbufferAndTheHeldOneFollowsInOrderOnce() throws Exception {
    String room = "r-" + UUID.randomUUID();
    RoomTestMember m = joined(room);
    // stored by a backend that died before its poke went out
    hazelcast.<String>getRingbuffer(ClusterNames.ROOM_PREFIX + room).add(stored("unpoked"));
    assertEquals(1, publish(m, room, "poked"));
    assertEquals("unpoked", m.next("message").getString("id"));
    assertEquals("poked", m.next("message").getString("id"));
    assertEquals(2, publish(m, room, "after"));
    JsonObject after = m.next("message");
    assertEquals(2, after.getLong("seq"), "nothing repeated in between: " + after.encode());
  }

  @Test
  void aRepeatedPokeOfAMessageHandedOutAlreadyRepeatsNothing() throws Exception {
    String room = "r-" + UUID.randomUUID();
    RoomTestMember m = joined(room);
    assertEquals(0, publish(m, room, "once"));
    assertEquals(0, m.next("message").getLong("seq"));
    JsonObject first = new JsonObject(hazelcast.<String>getRingbuffer(ClusterNames.ROOM_PREFIX + room).readOne(0));
    vertx.eventBus().publish(ClusterNames.ROOM_POKE_PREFIX + room, new RoomPoke(0, first.encode()).encode());
    assertEquals(1, publish(m, room, "next"));
    JsonObject next = m.next("message");
    assertEquals(1, next.getLong("seq"), "the repeat delivered nothing: " + next.encode());
  }
}
