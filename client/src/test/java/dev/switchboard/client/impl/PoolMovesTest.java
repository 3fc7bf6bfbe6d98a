package dev.switchboard.client.impl;

import dev.switchboard.client.ClientState;
import dev.switchboard.client.MoveReason;
import dev.switchboard.client.SwitchboardClientOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.switchboard.client.impl.FakeListFeed.backend;
import static dev.switchboard.client.impl.FakeListFeed.url;
import static dev.switchboard.client.impl.PoolHarness.drain;
import static dev.switchboard.client.impl.PoolHarness.joined;
import static dev.switchboard.client.impl.PoolHarness.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Planned moves and failovers of the pool, on a fake clock, fake sockets and a fake list. */
class PoolMovesTest {

  @Test
  void aDrainMovesMakeBeforeBreakAndTheReplacementJoinsFromTheLastSeqBeforeTheOldCloses() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.list.upsert(backend("b2", 0));
    h.pool.join("r");
    b1.receive(joined("r", 5)).receive(message("r", 6));

    b1.receive(drain("drain", 1_000));
    assertEquals(1, h.transport.sockets.size(), "the move waits for a random moment within half the deadline");
    h.clock.advance(500);
    FakeTransport.FakeSocket b2 = h.transport.last();
    assertEquals(url("b2") + "?moved=drain", b2.url);
    assertEquals(MoveReason.DRAIN, h.moves.get(0).reason());
    b2.accept("b2");
    assertEquals(List.of("b1"), h.open(), "the old connection serves until the new one has joined its rooms");
    assertEquals(6L, b2.sent("join").get(0).getLong("since"));
    b1.receive(message("r", 7));
    b2.receive(joined("r", 6)).receive(message("r", 7)).receive(message("r", 8));

    assertEquals(List.of("b2"), h.open());
    assertEquals((short) 1000, b1.closedWith);
    assertEquals(List.of(6L, 7L, 8L), h.delivered(), "nothing lost, nothing repeated");
    assertTrue(h.failovers.isEmpty(), "a planned move is not a failover");
  }

  @Test
  void theDrainedBackendClosingUsDuringTheMoveIsPartOfTheMoveNotAFailover() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.list.upsert(backend("b2", 0));
    b1.receive(drain("drain", 100));
    h.clock.advance(50);
    FakeTransport.FakeSocket b2 = h.transport.last();

    b1.closeByPeer((short) 1001);
    b2.accept("b2");

    assertTrue(h.failovers.isEmpty());
    assertEquals(List.of("b2"), h.open());
    assertEquals(2, h.transport.sockets.size(), "the replacement became the refill: no second attempt");
  }

  @Test
  void aRebalanceGoesToThePreferredBackendWithItsReason() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 10));
    h.list.upsert(backend("b2", 0));
    h.list.upsert(backend("b3", 0));
    b1.receive(drain("rebalance", 200).put("prefer", new io.vertx.core.json.JsonArray().add("b3")));
    h.clock.advance(100);
    assertEquals(url("b3") + "?moved=rebalance", h.transport.last().url);
    assertEquals(MoveReason.REBALANCE, h.moves.get(0).reason());
  }

  @Test
  void aRebalanceItCannotFollowIsAnsweredWithStayAndBothConnectionsKept() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setConnections(2).setPolicy("sticky").setKey("k"));
    h.pool.start();
    h.list.snapshot(backend("b1", 10), backend("b2", 0));
    FakeTransport.FakeSocket first = h.transport.sockets.get(0);
    FakeTransport.FakeSocket second = h.transport.sockets.get(1);
    first.accept("x");
    second.accept("y");
    String standby = second.url.startsWith(url("b1")) ? "b1" : "b2";

    first.receive(drain("rebalance", 200).put("prefer", new io.vertx.core.json.JsonArray().add(standby)));
    h.clock.advance(200);

    assertEquals(1, first.sent("stay").size(), "the only other backend holds our standby: stay");
    assertEquals(2, h.transport.sockets.size(), "no attempt anywhere");
    assertTrue(h.moves.isEmpty());
    assertEquals(2, h.open().size());
  }

  @Test
  void aDrainWithNowhereToGoIsNotAnsweredWithStay() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    b1.receive(drain("drain", 200));
    h.clock.advance(200);
    assertTrue(b1.sent("stay").isEmpty(), "the backend is leaving: it closes us at the deadline");
  }

  @Test
  void aLostPrimaryWithAStandbyHandsOverAtOnceRejoiningAndResendingUnackedPublishes() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setConnections(2).setPolicy("sticky").setKey("k"));
    h.pool.start();
    h.list.snapshot(backend("b1", 0), backend("b2", 0));
    FakeTransport.FakeSocket first = h.transport.sockets.get(0);
    FakeTransport.FakeSocket second = h.transport.sockets.get(1);
    first.accept("x");
    second.accept("y");
    h.pool.join("r");
    first.receive(joined("r", 3)).receive(message("r", 4));
    Future<Long> published = h.pool.publish("r", "hello");
    String id = first.sent("publish").get(0).getString("id");

    h.list.upsert(backend("b3", 0));
    first.closeByPeer((short) 1006);

    assertEquals(MoveReason.CLOSED, h.failovers.get(0).reason());
    assertEquals(1, h.open().size());
    assertEquals(4L, second.sent("join").get(0).getLong("since"));
    assertEquals(id, second.sent("publish").get(0).getString("id"), "resent with the same id");
    second.receive(new JsonObject().put("type", "ack").put("id", id).put("seq", 5));
    assertEquals(5L, published.result());
    assertEquals(url("b3") + "?moved=closed", h.transport.last().url, "the refill goes to a backend not lost");
  }

  @Test
  void aLostBackendIsNotRetriedWhileAnotherIsListed() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    h.list.upsert(backend("b2", 0));
    b1.closeByPeer((short) 1006);
    FakeTransport.FakeSocket toB2 = h.transport.last();
    assertTrue(toB2.url.startsWith(url("b2")));
    toB2.unreachable();
    h.clock.advance(9_000);
    assertTrue(h.transport.to(url("b1")).size() == 1, "b1 was lost: only b2 is tried, however often it fails");
    assertEquals(List.of("b2:connect-failed", "b2:connect-failed"), h.list.reports.subList(0, 2));
  }

  @Test
  void aLostPrimaryWithoutAStandbyIsOfflineUntilTheOnlyBackendComesBack() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    b1.closeByPeer((short) 1006);
    assertEquals(ClientState.CONNECTING, h.pool.state());
    for (int i = 0; i < 3; i++) {
      h.transport.last().unreachable();
      h.clock.advance(600); // past the backoff (125, 250, 500 ms at random 0.5), before any handshake times out
    }
    assertTrue(h.states.contains(ClientState.OFFLINE));
    h.transport.last().accept("b1");
    assertEquals(ClientState.OPEN, h.pool.state());
    assertEquals(List.of("b1"), h.open());
  }

  @Test
  void aBackendRemovedFromTheListFailsOverAtOnceButAWorkingOneRemovedAsUnreachableStays() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    h.startOn(backend("b1", 0));
    h.list.upsert(backend("b2", 0));
    h.list.remove("b1", "unreachable");
    assertEquals(List.of("b1"), h.open());
    h.list.remove("b2", "deregistered");
    assertEquals(List.of("b1"), h.open());
    h.list.upsert(backend("b2", 0));
    h.list.remove("b1", "deregistered");
    assertEquals(MoveReason.REMOVED, h.failovers.get(0).reason());
  }

  @Test
  void withoutAnIntervalOptionPingsFollowTheWelcomesHeartbeatAndAMissedPongFailsOver() {
    PoolHarness h = new PoolHarness(new SwitchboardClientOptions().setTimeoutMs(3_000).setRequestTimeoutMs(5_000)
        .setFailoverRate(0));
    h.pool.start();
    h.list.snapshot(backend("b1", 0));
    FakeTransport.FakeSocket b1 = h.transport.last().accept("b1", 200);
    h.clock.advance(250);
    assertEquals(1, b1.sent("ping").size(), "pinged after the welcome's 200 ms, not the default 2000");
    long id = b1.sent("ping").get(0).getLong("id");
    b1.receive(new JsonObject().put("type", "pong").put("id", id));
    h.clock.advance(4_000);
    assertFalse(h.failovers.isEmpty());
    assertEquals(MoveReason.HEARTBEAT_TIMEOUT, h.failovers.get(0).reason());
  }

  @Test
  void theClientsOwnStallDoesNotCountAgainstAPingThatIsOutButASilentBackendStillFailsOver() {
    PoolHarness h = new PoolHarness(new SwitchboardClientOptions().setIntervalMs(1_000).setTimeoutMs(3_000)
        .setRequestTimeoutMs(5_000).setFailoverRate(0));
    h.pool.start();
    h.list.snapshot(backend("b1", 0));
    FakeTransport.FakeSocket b1 = h.transport.last().accept("b1", 1_000);
    h.clock.advance(1_100);
    assertEquals(1, b1.sent("ping").size());
    // the client's loop stands still 4 s (a GC pause, a loop behind its work): the tick due meanwhile
    // runs late, and the pong may be sitting unread in the socket
    h.clock.stall(4_000);
    h.clock.advance(0);
    assertEquals(List.of(), h.failovers, "the client's own stall is not the backend's fault");
    b1.receive(new JsonObject().put("type", "pong").put("id", b1.sent("ping").get(0).getLong("id")));
    // a backend that really stops answering still fails over, a timeout after its ping
    h.clock.advance(1_000);
    assertEquals(2, b1.sent("ping").size());
    h.clock.advance(3_000);
    assertEquals(List.of(), h.failovers, "3 s after the ping: not yet");
    h.clock.advance(1_000);
    assertEquals(1, h.failovers.size());
    assertEquals(MoveReason.HEARTBEAT_TIMEOUT, h.failovers.get(0).reason());
  }

  @Test
  void anIntervalOptionWinsOverTheWelcomesHeartbeatEitherWay() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setIntervalMs(1_000).setTimeoutMs(10_000));
    h.pool.start();
    h.list.snapshot(backend("b1", 0));
    FakeTransport.FakeSocket b1 = h.transport.last().accept("b1", 200);
    h.clock.advance(900);
    assertEquals(0, b1.sent("ping").size(), "the welcome's 200 ms does not apply");
    h.clock.advance(600);
    assertEquals(1, b1.sent("ping").size(), "the option's 1000 ms does");
  }

  @Test
  void thePingIntervalIsTheOptionWhenSetElseTheWelcomesWithinBoundsElseTheDefault() {
    assertEquals(1_000, Connection.pingInterval(1_000L, 5_000L, 2_000), "set: the option, even when the backend asks slower");
    assertEquals(1_000, Connection.pingInterval(1_000L, 300, 2_000), "set: the option, even when the backend asks faster");
    assertEquals(5_000, Connection.pingInterval(null, 5_000L, 2_000), "not set: the backend's");
    assertEquals(300, Connection.pingInterval(null, 300, 2_000));
    assertEquals(2_000, Connection.pingInterval(null, 49, 2_000), "below 50 ms: ignored");
    assertEquals(2_000, Connection.pingInterval(null, 300_001, 2_000), "above 5 min: ignored");
    assertEquals(2_000, Connection.pingInterval(null, null, 2_000), "none: the default");
    assertEquals(2_000, Connection.pingInterval(null, "5000", 2_000), "not a number: the default");
  }

  @Test
  void aConnectionNeverWelcomedIsGivenUpAndReported() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    h.pool.start();
    h.list.snapshot(backend("b1", 0));
    h.transport.last(); // dialed, never answered
    h.clock.advance(4_050);
    assertEquals(List.of("b1:connect-failed"), h.list.reports);
    assertNull(h.pool.primary());
  }

  @Test
  void theTicketSupplierIsAskedBeforeEveryAttempt() {
    int[] asked = {0};
    PoolHarness h = new PoolHarness(PoolHarness.options().setTicket(() -> Future.succeededFuture("t" + ++asked[0])));
    h.pool.start();
    h.list.snapshot(backend("b1", 0));
    h.transport.last().refuse(401);
    h.clock.advance(200);
    assertEquals(url("b1") + "?ticket=t2", h.transport.last().url);
    assertTrue(h.list.reports.isEmpty(), "a refused upgrade is not reported as unreachable");
  }

  @Test
  void aNewcomerCutsABackoffShort() {
    PoolHarness h = new PoolHarness(new SwitchboardClientOptions().setBaseMs(5_000).setMaxMs(60_000).setJitter(0));
    h.pool.start();
    h.list.snapshot(backend("b1", 0));
    h.transport.last().unreachable();
    int before = h.transport.sockets.size();
    h.list.upsert(backend("b2", 0));
    assertEquals(before + 1, h.transport.sockets.size());
    assertTrue(h.transport.last().url.startsWith(url("b2")));
  }
}
