package dev.switchboard.client;

import dev.switchboard.client.impl.FakeTransport;
import dev.switchboard.client.impl.PoolHarness;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two clients' pools (fake clock, fake sockets) on one {@link BackendList} (one stream, fake coordinator). */
class SharedListPoolsTest {

  private final FakeCoordinatorFeed coordinator = new FakeCoordinatorFeed();
  private final BackendList list = new BackendList(
      new BackendListStream(coordinator, List.of("http://a"), "chat", 0, 5_000, () -> 0.0), Runnable::run);
  private final PoolHarness one = new PoolHarness(PoolHarness.options(), list.feed(Runnable::run));
  private final PoolHarness two = new PoolHarness(PoolHarness.options(), list.feed(Runnable::run));

  private static String record(String id) {
    return new BackendRecord(id, "chat", url(id), "node-" + id, "local", BackendState.UP, 0, 100, 100, 1)
        .toJson().encode();
  }

  private static String url(String id) {
    return "ws://" + id + ".test:1/ws";
  }

  /** Both pools start; the coordinator lists b1; each pool's attempt to b1 is welcomed. */
  private FakeCoordinatorFeed.Request bothOpenOnB1() {
    Future<Void> started1 = one.pool.start();
    Future<Void> started2 = two.pool.start();
    FakeCoordinatorFeed.Request stream = coordinator.last().answer()
        .event("e-1", "snapshot", "{\"backends\":[" + record("b1") + "]}");
    for (PoolHarness h : List.of(one, two)) {
      h.transport.to(url("b1")).get(0).accept("b1");
    }
    assertTrue(started1.succeeded());
    assertTrue(started2.succeeded());
    return stream;
  }

  private static void movedFromB1ToB2(PoolHarness h) {
    assertEquals(1, h.failovers.size());
    assertEquals(1, h.transport.to(url("b2")).size(), "a replacement is dialed to b2");
  }

  @Test
  void twoClientsOnOneSharedListBothConnectAndBothFollowABackendsRemoval() {
    FakeCoordinatorFeed.Request stream = bothOpenOnB1();
    assertEquals(1, coordinator.requests.size(), "one list stream for both clients");
    assertEquals(List.of("b1"), one.open());
    assertEquals(List.of("b1"), two.open());

    stream.event("e-2", "upsert", record("b2")).event("e-3", "remove", "{\"id\":\"b1\",\"reason\":\"deregistered\"}");

    movedFromB1ToB2(one);
    movedFromB1ToB2(two);
  }

  @Test
  void closingOneClientKeepsTheOthersListLive() {
    FakeCoordinatorFeed.Request stream = bothOpenOnB1();
    one.pool.close();

    stream.event("e-2", "upsert", record("b2")).event("e-3", "remove", "{\"id\":\"b1\",\"reason\":\"deregistered\"}");

    assertEquals(1, list.subscribers());
    assertEquals(0, one.transport.to(url("b2")).size(), "the closed client follows nothing");
    movedFromB1ToB2(two);
  }

  @Test
  void afterTheSharedListClosesClientsKeepTheirConnectionsAndTheListAsLastKnown() {
    FakeCoordinatorFeed.Request stream = bothOpenOnB1();
    list.close();
    stream.event("e-2", "remove", "{\"id\":\"b1\",\"reason\":\"deregistered\"}");

    for (PoolHarness h : List.of(one, two)) {
      assertEquals(List.of("b1"), h.open(), "no change is heard: the connection stays");
      assertEquals(ClientState.OPEN, h.pool.state());
      assertEquals(0, h.failovers.size());
    }
  }
}
