package dev.switchboard.client.impl;

import dev.switchboard.client.ClientState;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.switchboard.client.impl.FakeListFeed.backend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The send queue, the publish bound, the client state and close, on fakes. */
class PoolStateTest {

  @Test
  void sendsWaitWhileNothingIsOpenUpToQueueSizeAndGoOutInOrderOnceOpen() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setQueueSize(2));
    h.pool.start();
    h.list.snapshot(backend("b1", 0));
    Future<Void> one = h.pool.send("{\"type\":\"echo\",\"n\":1}");
    Future<Void> two = h.pool.send("{\"type\":\"echo\",\"n\":2}");
    Future<Void> three = h.pool.send("{\"type\":\"echo\",\"n\":3}");
    assertTrue(three.failed(), "queue full");
    FakeTransport.FakeSocket b1 = h.transport.last().accept("b1");
    assertTrue(one.succeeded() && two.succeeded());
    assertEquals(List.of(1, 2), b1.sent("echo").stream().map(m -> m.getInteger("n")).toList());
  }

  @Test
  void sendsWaitWhileEveryWriteQueueIsFullAndFlushOnDrain() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    FakeTransport.FakeSocket b1 = h.startOn(backend("b1", 0));
    b1.writeQueueFull = true;
    Future<Void> sent = h.pool.send("{\"type\":\"echo\"}");
    assertTrue(!sent.isComplete());
    b1.writeQueueFull = false;
    h.pool.queue.flush(h.pool::writable);
    assertTrue(sent.succeeded());
  }

  @Test
  void publishesBeyondQueueSizeUnackedFailAtOnce() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setQueueSize(1));
    h.startOn(backend("b1", 0));
    h.pool.publish("r", 1);
    assertTrue(h.pool.publish("r", 2).failed());
  }

  @Test
  void statesGoConnectingOpenDegradedOpen() {
    PoolHarness h = new PoolHarness(PoolHarness.options().setConnections(2));
    h.pool.start();
    h.list.snapshot(backend("b1", 0), backend("b2", 0));
    h.transport.sockets.get(0).accept("x");
    h.transport.sockets.get(1).accept("y");
    h.list.upsert(backend("b3", 0));
    h.transport.sockets.get(0).closeByPeer((short) 1006);
    h.transport.last().accept("b3");
    assertEquals(List.of(ClientState.DEGRADED, ClientState.OPEN, ClientState.DEGRADED, ClientState.OPEN), h.states);
  }

  @Test
  void nothingListedIsOfflineAndAListedBackendRecovers() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    h.pool.start();
    h.list.snapshot();
    assertEquals(ClientState.OFFLINE, h.pool.state());
    h.list.upsert(backend("b1", 0));
    assertEquals(ClientState.CONNECTING, h.pool.state());
    h.transport.last().accept("b1");
    assertEquals(ClientState.OPEN, h.pool.state());
  }

  @Test
  void closeSettlesEveryJoinPublishAndSendAndLeavesNoTimer() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    h.pool.start();
    h.list.snapshot(backend("b1", 0));
    List<Future<?>> all = new ArrayList<>();
    all.add(h.pool.join("r"));
    all.add(h.pool.publish("r", 1));
    all.add(h.pool.send("{}"));
    h.pool.close();
    assertTrue(all.stream().allMatch(Future::failed));
    assertEquals(ClientState.OFFLINE, h.pool.state());
    assertEquals(0, h.clock.pending(), "no timer outlives close");
    assertEquals((short) 1000, h.transport.last().closedWith);
  }

  @Test
  void aHandlerThatThrowsDoesNotStopTheClient() {
    PoolHarness h = new PoolHarness(PoolHarness.options());
    h.on.states = s -> {
      throw new IllegalStateException("application bug");
    };
    h.startOn(backend("b1", 0));
    assertEquals(List.of("b1"), h.open());
  }
}
