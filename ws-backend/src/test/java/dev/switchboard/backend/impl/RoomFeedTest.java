package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RoomFeed}: messages carried by pokes handed out in seq order; reads only for gaps and doubts. */
class RoomFeedTest {

  private static RoomFeed startedAt(long next) {
    RoomFeed feed = new RoomFeed();
    feed.start(next);
    return feed;
  }

  @Test
  void pokesInOrderAreHandedOutWithoutARead() {
    RoomFeed feed = startedAt(5);
    assertEquals(RoomFeed.Action.DELIVER, feed.offer(5, "m5"));
    RoomBatch batch = feed.take();
    assertEquals(5, batch.first());
    assertArrayEquals(new String[] {"m5"}, batch.items());
    assertEquals(6, feed.next());
    assertEquals(RoomFeed.fingerprint("m5"), feed.last());
  }

  @Test
  void aPokeAheadOfAGapIsHeldUntilTheMissingOneArrivesThenBothGoOutInOrder() {
    RoomFeed feed = startedAt(0);
    assertEquals(RoomFeed.Action.AWAIT_GAP, feed.offer(1, "m1"));
    assertEquals(0, feed.take().readCount(), "nothing goes out past a gap");
    assertTrue(feed.gapOpen());
    assertEquals(RoomFeed.Action.DELIVER, feed.offer(0, "m0"));
    assertArrayEquals(new String[] {"m0", "m1"}, feed.take().items());
    assertFalse(feed.gapOpen());
    assertEquals(2, feed.next());
  }

  @Test
  void aGapFilledByAReadHandsOutTheHeldPokesAfterItWithoutDuplicates() {
    RoomFeed feed = startedAt(10);
    feed.advance(RoomBatch.of(9, List.of("m9")));
    assertEquals(RoomFeed.Action.AWAIT_GAP, feed.offer(12, "m12"));
    assertEquals(RoomFeed.Action.AWAIT_GAP, feed.offer(13, "m13"));
    // the poke of 11 was lost: the owner read the ringbuffer from 9 (the last handed out) and got 9..12
    feed.advance(RoomBatch.of(9, List.of("m9", "m10", "m11", "m12")));
    assertEquals(13, feed.next());
    assertFalse(feed.gapOpen());
    RoomBatch rest = feed.take();
    assertEquals(13, rest.first(), "only what the read did not cover");
    assertArrayEquals(new String[] {"m13"}, rest.items());
    assertEquals(RoomFeed.Action.NONE, feed.offer(11, "m11"), "the lost poke arriving late repeats nothing");
  }

  @Test
  void aPokeOfAnOldSeqWithOtherContentAsksForAReadTheRoomMayHaveBegunAgain() {
    RoomFeed feed = startedAt(0);
    for (int i = 0; i < 3; i++) {
      feed.offer(i, "old" + i);
    }
    feed.take();
    assertEquals(RoomFeed.Action.NONE, feed.offer(1, "old1"));
    assertEquals(RoomFeed.Action.READ, feed.offer(0, "new0"), "seq 0 again, another message");
  }

  @Test
  void aPokeOlderThanWhatTheFeedRemembersAsksForARead() {
    RoomFeed feed = startedAt(1_000);
    assertEquals(RoomFeed.Action.READ, feed.offer(3, "m3"));
  }

  @Test
  void pokesBeforeTheFeedKnowsWhereItStandsAreLeftToTheReadThatFollows() {
    RoomFeed feed = new RoomFeed();
    assertEquals(RoomFeed.Action.NONE, feed.offer(0, "m0"));
    assertFalse(feed.started());
    assertEquals(RoomFeed.UNKNOWN, feed.last());
  }

  @Test
  void tooManyHeldPokesAreDroppedForARead() {
    RoomFeed feed = startedAt(0);
    for (int i = 1; i <= RoomFeed.MAX_HELD; i++) {
      assertEquals(RoomFeed.Action.AWAIT_GAP, feed.offer(i, "m" + i));
    }
    assertEquals(RoomFeed.Action.READ, feed.offer(RoomFeed.MAX_HELD + 1, "one more"));
    assertTrue(feed.held().isEmpty(), "memory stays bounded; the read brings them all");
  }

  @Test
  void aRestartForgetsWhatWasHeldAndHandedOut() {
    RoomFeed feed = startedAt(0);
    feed.offer(0, "old0");
    feed.take();
    feed.offer(5, "old5");
    feed.start(0);
    assertTrue(feed.held().isEmpty());
    assertEquals(RoomFeed.UNKNOWN, feed.last());
    assertEquals(RoomFeed.Action.DELIVER, feed.offer(0, "new0"));
    assertArrayEquals(new String[] {"new0"}, feed.take().items());
  }

  @Test
  void heldPokesPastTheirCharacterBoundTurnIntoARead() {
    RoomFeed feed = startedAt(0);
    String big = "x".repeat((int) (RoomFeed.MAX_HELD_CHARS / 2));
    assertEquals(RoomFeed.Action.AWAIT_GAP, feed.offer(2, big));
    assertEquals(RoomFeed.Action.READ, feed.offer(3, big + "y"), "a second one past the bound: read instead of holding");
    assertTrue(feed.held().isEmpty(), "nothing held once the feed reads");
    assertEquals(RoomFeed.Action.AWAIT_GAP, feed.offer(2, "small"), "the bound counts what is held now");
  }

  @Test
  void aLatePokeIsRecognisedByItsFingerprintAndAChangedOneAsksForARead() {
    RoomFeed feed = startedAt(0);
    feed.offer(0, "m0");
    feed.take();
    assertEquals(RoomFeed.Action.NONE, feed.offer(0, "m0"));
    assertEquals(RoomFeed.Action.READ, feed.offer(0, "other"), "the room began again: its seq 0 is another message");
  }
}
