package dev.switchboard.client.impl;

import dev.switchboard.client.ForbiddenException;
import dev.switchboard.client.RequestException;
import dev.switchboard.model.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.switchboard.client.impl.FakeListFeed.backend;
import static dev.switchboard.client.impl.PoolHarness.drain;
import static dev.switchboard.client.impl.PoolHarness.error;
import static dev.switchboard.client.impl.PoolHarness.joined;
import static dev.switchboard.client.impl.PoolHarness.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every join and publish settles — answered, refused by its error frame, or timed out — and a failed join leaves no trace. */
class RoomRequestsTest {

  @Test
  void aRejectedJoinFailsWithItsCodeAndIsNotRejoinedAfterAFailover() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.list.upsert(backend("b2", 0));
    Future<Long> join = h.pool.join("big");
    b1.receive(error("too-many-rooms", "big", null));

    RequestException e = assertInstanceOf(RequestException.class, join.cause());
    assertEquals(ErrorCode.TOO_MANY_ROOMS, e.errorCode());
    assertEquals("big", e.room());
    assertNull(h.pool.rooms.lastSeq("big"));
    assertTrue(h.pool.rooms.isEmpty());
    b1.closeByPeer((short) 1006);
    h.transport.last().accept("b2");
    assertTrue(h.transport.last().sent("join").isEmpty(), "a refused room is not rejoined");
  }

  @Test
  void aForbiddenJoinFailsWithForbiddenException() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    Future<Long> join = h.pool.join("admin");
    b1.receive(error("forbidden", "admin", null));
    assertInstanceOf(ForbiddenException.class, join.cause());
  }

  @Test
  void aRoomRefusedOnTheReplacementDoesNotHoldUpTheMove() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.list.upsert(backend("b2", 0));
    h.pool.join("a");
    h.pool.join("b");
    b1.receive(joined("a", 1)).receive(joined("b", 1));
    b1.receive(drain("drain", 100));
    h.clock.advance(50);
    FakeTransport.FakeSocket b2 = h.transport.last().accept("b2");

    b2.receive(joined("a", 1)).receive(error("too-many-rooms", "b", null));

    assertEquals(List.of("b2"), h.open(), "the replacement took over once every room was joined or refused");
    assertEquals((short) 1000, b1.closedWith);
  }

  @Test
  void aReplacementWhoseJoinsGoUnansweredTakesOverAfterTheRequestTimeout() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setRequestTimeoutMs(5_000));
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.list.upsert(backend("b2", 0));
    h.pool.join("a");
    b1.receive(joined("a", 1));
    b1.receive(drain("drain", 100));
    h.clock.advance(50);
    FakeTransport.FakeSocket b2 = h.transport.last().accept("b2");
    for (int i = 0; i < 5; i++) {
      h.clock.advance(1_000);
      assertEquals(List.of("b1"), h.open(), "still waiting for the replacement's join");
      answerPings(b1);
      answerPings(b2);
    }
    h.clock.advance(1_100);
    assertEquals(List.of("b2"), h.open());
    assertTrue(h.failovers.isEmpty());
  }

  private static void answerPings(FakeTransport.FakeSocket s) {
    List<JsonObject> pings = s.sent("ping");
    if (!pings.isEmpty()) {
      s.receive(new JsonObject().put("type", "pong").put("id", pings.get(pings.size() - 1).getValue("id")));
    }
  }

  @Test
  void aPublishFailsOnTheErrorThatNamesItsId() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    Future<Long> first = h.pool.publish("r", 1);
    Future<Long> second = h.pool.publish("r", 2);
    String id = b1.sent("publish").get(1).getString("id");
    b1.receive(error("publish-failed", "r", id));
    assertEquals("publish-failed", ((RequestException) second.cause()).code());
    assertEquals(id, ((RequestException) second.cause()).id());
    assertFalse(first.isComplete());
  }

  @Test
  void aBackendThatNeverAnswersFailsJoinAndPublishAfterTheRequestTimeout() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setRequestTimeoutMs(5_000).setTimeoutMs(60_000).setIntervalMs(60_000));
    h.startOn(backend("b1", 0));
    Future<Long> join = h.pool.join("r");
    Future<Long> publish = h.pool.publish("r", "x");
    h.clock.advance(4_999);
    assertFalse(join.isComplete());
    assertFalse(publish.isComplete());
    h.clock.advance(2);
    assertEquals(RequestException.TIMEOUT, ((RequestException) join.cause()).code());
    assertEquals(RequestException.TIMEOUT, ((RequestException) publish.cause()).code());
    assertTrue(h.pool.rooms.isEmpty(), "a timed-out join leaves its room");
  }

  @Test
  void aJoinAnsweredInTimeCancelsItsTimer() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setTimeoutMs(60_000).setIntervalMs(60_000));
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    int before = h.clock.pending();
    Future<Long> join = h.pool.join("r");
    b1.receive(joined("r", 4));
    assertEquals(4L, join.result());
    assertEquals(before, h.clock.pending());
  }

  @Test
  void aJoinedBelowTheSinceAskedMeansTheRoomBeganAgainAndItsNewMessagesAreDelivered() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.list.upsert(backend("b2", 0));
    h.pool.join("r");
    b1.receive(joined("r", 10)).receive(message("r", 11)).receive(message("r", 12));
    b1.closeByPeer((short) 1006);
    FakeTransport.FakeSocket b2 = h.transport.last().accept("b2");
    assertEquals(12L, b2.sent("join").get(0).getLong("since"));

    b2.receive(joined("r", -1)).receive(message("r", 0)).receive(message("r", 1));

    assertEquals(List.of(11L, 12L, 0L, 1L), h.delivered());
  }

  @Test
  void repeatsAfterAFailoverAreDroppedAndUnjoinedRoomsIgnored() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.pool.join("r");
    b1.receive(joined("r", 0)).receive(message("r", 1)).receive(message("r", 1)).receive(message("other", 5));
    assertEquals(List.of(1L), h.delivered());
  }

  @Test
  void ackIdsKeepTheirJsonType() {
    assertNotEquals(Rooms.key("7"), Rooms.key(7));
    assertEquals(Rooms.key(7), Rooms.key(7L));
    assertNull(Rooms.key(new JsonObject()));
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    Future<Long> publish = h.pool.publish("r", "x");
    String id = b1.sent("publish").get(0).getString("id");
    b1.receive(new JsonObject().put("type", "ack").put("id", List.of(id)).put("seq", 1));
    assertFalse(publish.isComplete());
    b1.receive(new JsonObject().put("type", "ack").put("id", id).put("seq", 1));
    assertEquals(1L, publish.result());
  }

  @Test
  void aHistoryGapIsInformational() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    Future<Long> join = h.pool.join("r");
    b1.receive(joined("r", 3)).receive(error("history-gap", "r", null));
    assertEquals(3L, join.result());
    assertEquals(3L, h.pool.rooms.lastSeq("r"));
    assertEquals("error", h.messages.get(0).getString("type"), "the application still sees it");
  }

  @Test
  void aRejoinRefusedForNowKeepsTheRoomAndAsksAgainOnTheNextPrimary() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.list.upsert(backend("b2", 0));
    h.pool.join("a");
    b1.receive(joined("a", 1));
    b1.closeByPeer((short) 1006);
    h.clock.advance(1_000);
    FakeTransport.FakeSocket b2 = h.transport.last().accept("b2");
    b2.receive(error("too-many-rooms", "a", null));
    assertEquals(1L, h.pool.rooms.lastSeq("a"), "the app's room outlives one backend's cap");

    h.list.upsert(backend("b3", 0));
    b2.closeByPeer((short) 1006);
    h.clock.advance(1_000);
    FakeTransport.FakeSocket b3 = h.transport.last().accept("b3");
    assertEquals("a", b3.sent("join").get(0).getString("room"), "asked again on the next primary");
  }

  @Test
  void aRepeatedJoinOfAJoinedRoomThatGoesUnansweredFailsButKeepsTheRoom() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setRequestTimeoutMs(5_000).setTimeoutMs(60_000).setIntervalMs(60_000));
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.pool.join("a");
    b1.receive(joined("a", 3));
    Future<Long> again = h.pool.join("a");
    h.clock.advance(5_001);
    assertEquals(RequestException.TIMEOUT, ((RequestException) again.cause()).code());
    assertEquals(3L, h.pool.rooms.lastSeq("a"));
  }

  @Test
  void joinPublishAndSendAfterCloseFailAtOnce() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    h.startOn(backend("b1", 0));
    h.pool.close();
    for (Future<?> f : List.of(h.pool.join("a"), h.pool.publish("a", 1), h.pool.send("{}"))) {
      assertTrue(f.failed(), "settled at once");
      assertEquals("client closed", f.cause().getMessage());
    }
  }
}
