package dev.switchboard.client;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendListStreamTest {

  private static final List<String> COORDINATORS = List.of("http://a", "http://b");
  private static final String RECORD = "{\"id\":\"b1\",\"url\":\"ws://h:1/ws\",\"node\":\"n\",\"state\":\"UP\","
      + "\"connections\":0,\"capacity\":5,\"startedAt\":1}";

  private final FakeCoordinatorFeed feed = new FakeCoordinatorFeed();
  /** random 0: the quick first-round retry waits 1 ms, backoff delays are their floor. */
  private final BackendListStream stream = new BackendListStream(feed, COORDINATORS, "chat", 0, 5_000, () -> 0.0);

  @Test
  void aStreamSilentForTwoAnnouncedKeepAlivesIsDroppedForTheNextCoordinator() {
    stream.open();
    FakeCoordinatorFeed.Request a = feed.last().answer().snapshot("a-1").ping(1000);
    assertEquals(1000, stream.keepAliveMs());
    assertEquals(2000, stream.silenceLimitMs());

    feed.advance(1500);
    a.ping(1000); // heard: the deadline moves on
    feed.advance(1999);
    assertEquals(1, feed.requests.size(), "still within 2 × keep-alive of the last ping");

    feed.advance(1);
    assertTrue(a.closed, "the silent stream is closed");
    feed.advance(1);
    assertEquals(2, feed.requests.size());
    assertEquals("http://b/v1/backends/stream?service=chat", feed.last().url);
    assertEquals("a-1", feed.last().lastEventId, "resumes where the silent one stopped");
  }

  @Test
  void untilAPingAnnouncesThePeriodFifteenSecondsAreAssumed() {
    stream.open();
    feed.last().answer().snapshot("a-1");
    feed.advance(29_999);
    assertEquals(1, feed.requests.size());
    feed.advance(1);
    feed.advance(100);
    assertEquals(2, feed.requests.size());
  }

  @Test
  void aMalformedOrAbsurdPingIsIgnoredButStillCountsAsHeard() {
    stream.open();
    FakeCoordinatorFeed.Request a = feed.last().answer().snapshot("a-1");
    a.event(null, "ping", "{oops");
    a.ping(5);
    a.event(null, "ping", "{\"keepAliveMs\":\"soon\"}");
    assertEquals(15_000, stream.keepAliveMs());
    assertEquals("a-1", stream.lastEventId(), "a ping never moves the resume id");
  }

  @Test
  void aCoordinatorThatDoesNotAnswerWithinTheConnectTimeoutIsSkipped() {
    stream.open();
    FakeCoordinatorFeed.Request a = feed.last(); // never answered: a black-holed or frozen coordinator
    feed.advance(4_999);
    assertEquals(1, feed.requests.size());
    feed.advance(1);
    assertTrue(a.closed);
    feed.advance(100);
    assertEquals("http://b/v1/backends/stream?service=chat", feed.last().url);
    assertFalse(stream.streaming());

    a.answer(); // a late answer from the abandoned request is ignored
    assertEquals(2, feed.requests.size());
  }

  @Test
  void aCoordinatorThatSendsASnapshotAndDropsIsNotRetriedQuickly() {
    stream.open();
    // every coordinator answers, sends a snapshot, and drops at once: round 0 is quick, then backoff grows
    for (int i = 0; i < 2; i++) {
      feed.last().answer().snapshot("x-" + i).sink.ended("ended");
      feed.advance(1);
    }
    assertEquals(3, feed.requests.size(), "both tried quickly once");
    feed.last().answer().snapshot("x-2").sink.ended("ended");
    feed.advance(499);
    assertEquals(3, feed.requests.size(), "the second round waits at least retry / 2");
    feed.advance(1);
    assertEquals(4, feed.requests.size());
  }

  @Test
  void theFailureCountStartsAgainOnlyAfterAStreamStayedUpTenSeconds() {
    stream.open();
    feed.last().sink.ended("refused");
    feed.advance(1);
    feed.last().sink.ended("refused");
    feed.advance(500);
    assertEquals(3, feed.requests.size());

    FakeCoordinatorFeed.Request stable = feed.last().answer().snapshot("a-1");
    for (int i = 0; i < 10; i++) {
      feed.advance(1_000);
      stable.ping(15_000);
    }
    stable.sink.ended("ended");
    feed.advance(1);
    assertEquals(4, feed.requests.size(), "after 10 s up, the next coordinator is tried at once again");
  }

  @Test
  void closingStopsEveryTimerAndTheOpenStream() {
    stream.open();
    FakeCoordinatorFeed.Request a = feed.last().answer().snapshot("a-1");
    stream.close();
    assertTrue(a.closed);
    feed.advance(120_000);
    assertEquals(1, feed.requests.size());
  }

  @Test
  void reportsGoToTheFollowedCoordinatorAtMostOncePerIntervalPerBackend() {
    stream.open();
    feed.last().answer().event("a-1", "upsert", RECORD);
    stream.report("b1", "connect-failed");
    stream.report("b1", "connect-failed");
    assertEquals(1, feed.posts.size());
    assertTrue(feed.posts.get(0).startsWith("http://a/v1/backends/b1/reports "), feed.posts.get(0));
    feed.advance(BackendListStream.REPORT_INTERVAL_MS);
    stream.report("b1", "connect-failed");
    assertEquals(2, feed.posts.size());
  }
}
