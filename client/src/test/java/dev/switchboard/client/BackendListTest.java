package dev.switchboard.client;

import dev.switchboard.client.impl.ListFeed;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One {@link BackendList} (one stream, on a fake coordinator feed) followed by several clients' feeds. */
class BackendListTest {

  private static final List<String> COORDINATORS = List.of("http://a", "http://b");

  private final FakeCoordinatorFeed coordinators = new FakeCoordinatorFeed();
  /** random 0: the quick first-round retry waits 1 ms. */
  private final BackendList list =
      new BackendList(new BackendListStream(coordinators, COORDINATORS, "chat", 0, 5_000, () -> 0.0), Runnable::run);

  /** What one client's pool would hear. */
  private final class Client {
    final ListFeed feed;
    final List<ListEvent> heard = new ArrayList<>();
    final List<List<String>> listsAtEachChange = new ArrayList<>();
    Future<Void> opened;

    Client(java.util.concurrent.Executor context) {
      feed = list.feed(context);
      feed.handler(e -> {
        heard.add(e);
        listsAtEachChange.add(List.copyOf(feed.backends().keySet()));
      });
    }

    Client open() {
      opened = feed.open();
      return this;
    }

    List<String> ids() {
      return List.copyOf(feed.backends().keySet());
    }
  }

  private Client client() {
    return new Client(Runnable::run).open();
  }

  private static String record(String id) {
    return new BackendRecord(id, "chat", "ws://" + id + ".test:1/ws", "node-" + id, "local", BackendState.UP, 0, 100, 100, 1)
        .toJson().encode();
  }

  private static String snapshot(String... ids) {
    return "{\"backends\":[" + Stream.of(ids).map(BackendListTest::record).collect(Collectors.joining(",")) + "]}";
  }

  @Test
  void twoClientsFollowOneStreamAndBothHearTheSnapshotAndEveryDelta() {
    Client one = client();
    Client two = client();
    assertEquals(1, coordinators.requests.size(), "one stream for both");
    assertEquals(2, list.subscribers());

    FakeCoordinatorFeed.Request stream = coordinators.last().answer().event("e-1", "snapshot", snapshot("b1"));
    stream.event("e-2", "upsert", record("b2")).event("e-3", "remove", "{\"id\":\"b1\",\"reason\":\"deregistered\"}");

    for (Client c : List.of(one, two)) {
      assertTrue(c.opened.succeeded());
      assertEquals(List.of("e-1", "e-2", "e-3"), c.heard.stream().map(ListEvent::eventId).toList());
      assertEquals(List.of(List.of("b1"), List.of("b1", "b2"), List.of("b2")), c.listsAtEachChange,
          "the list as of each change, when the change is heard");
    }
  }

  @Test
  void aClientThatJoinsLateHearsTheCurrentListAtOnceAsASnapshot() {
    client();
    coordinators.last().answer().event("e-1", "snapshot", snapshot("b1")).event("e-2", "upsert", record("b2"));

    Client late = client();
    assertTrue(late.opened.succeeded(), "open without waiting for the coordinator");
    assertEquals(1, late.heard.size());
    ListEvent.Snapshot first = (ListEvent.Snapshot) late.heard.get(0);
    assertEquals("e-2", first.eventId());
    assertEquals(List.of("b1", "b2"), first.backends().stream().map(BackendRecord::id).toList());
    assertEquals(List.of("b1", "b2"), late.ids());
    assertEquals(1, coordinators.requests.size(), "no new stream for the late client");
  }

  @Test
  void aClientThatJoinsBeforeTheFirstListOpensWithIt() {
    Client one = client();
    Client two = client();
    assertFalse(one.opened.isComplete());
    coordinators.last().answer().event("e-1", "snapshot", snapshot("b1"));
    assertTrue(one.opened.succeeded());
    assertTrue(two.opened.succeeded());
    assertEquals(1, two.heard.size(), "the first snapshot once, not twice");
  }

  @Test
  void closingOneClientLeavesTheOthersListLive() {
    Client one = client();
    Client two = client();
    FakeCoordinatorFeed.Request stream = coordinators.last().answer().event("e-1", "snapshot", snapshot("b1"));

    one.feed.close();
    stream.event("e-2", "upsert", record("b2"));

    assertFalse(stream.closed, "the shared stream stays open");
    assertEquals(1, list.subscribers());
    assertEquals(1, one.heard.size(), "the closed client hears nothing more");
    assertEquals(List.of("b1"), one.ids());
    assertEquals(List.of("b1", "b2"), two.ids());
  }

  @Test
  void aChangeOnItsWayToAClientThatClosesIsDropped() {
    Queue<Runnable> clientContext = new ArrayDeque<>();
    Client queued = new Client(clientContext::add);
    queued.open();
    coordinators.last().answer().event("e-1", "snapshot", snapshot("b1"));
    assertEquals(0, queued.heard.size(), "heard on its own context, not the list's");

    queued.feed.close();
    clientContext.forEach(Runnable::run);
    assertEquals(0, queued.heard.size());
    assertTrue(queued.opened.failed(), "a client closed before its first list does not start");
  }

  @Test
  void closingTheListEndsEveryClientsUpdatesAndKeepsTheirLastKnownList() {
    Client one = client();
    Client two = client();
    FakeCoordinatorFeed.Request stream = coordinators.last().answer().event("e-1", "snapshot", snapshot("b1"));

    assertTrue(list.close().succeeded());
    assertTrue(stream.closed);
    assertEquals(0, list.subscribers());
    stream.event("e-2", "upsert", record("b2")); // the dropped stream's last breath is not heard
    coordinators.advance(120_000);
    assertEquals(1, coordinators.requests.size(), "no reconnect after close");
    one.feed.report("b1", "connect-failed");
    assertEquals(0, coordinators.posts.size(), "reports after close are dropped");
    for (Client c : List.of(one, two)) {
      assertEquals(1, c.heard.size());
      assertEquals(List.of("b1"), c.ids(), "the list as last known stays");
    }

    Client after = client();
    assertTrue(after.opened.failed(), "a client cannot start on a closed list");
    assertEquals("backend list closed", after.opened.cause().getMessage());
  }

  @Test
  void aClientWaitingForItsFirstListFailsToStartWhenTheListCloses() {
    Client waiting = client();
    list.close();
    assertTrue(waiting.opened.failed());
  }

  @Test
  void theStreamMovesToTheNextCoordinatorOnceForEveryClient() {
    Client one = client();
    Client two = client();
    coordinators.last().answer().event("e-1", "snapshot", snapshot("b1")).sink.ended("coordinator died");
    coordinators.advance(1);

    assertEquals(2, coordinators.requests.size());
    assertEquals("http://b/v1/backends/stream?service=chat", coordinators.last().url);
    assertEquals("e-1", coordinators.last().lastEventId);
    assertEquals("http://b", list.coordinator());
    coordinators.last().answer().event("b-7", "snapshot", snapshot("b2"));
    assertEquals(List.of("b2"), one.ids());
    assertEquals(List.of("b2"), two.ids());
  }

  @Test
  void reportsFromEveryClientAreRateLimitedPerBackendForTheWholeList() {
    Client one = client();
    Client two = client();
    coordinators.last().answer().event("e-1", "snapshot", snapshot("b1"));
    one.feed.report("b1", "connect-failed");
    two.feed.report("b1", "connect-failed");
    assertEquals(1, coordinators.posts.size());
  }
}
