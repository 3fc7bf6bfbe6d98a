package dev.switchboard.backend.impl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where one room's live feed on this backend stands, with no I/O: the next seq to hand out, the messages
 * that pokes brought ahead of a gap, and the last ones handed out. A poke carries its message, so the feed
 * hands messages out in seq order straight from the pokes; it asks its owner to read the ringbuffer only
 * when a gap stays open (a poke lost or late), or when a poke shows a message it cannot place (an old seq
 * with other content: the room may have been destroyed and begun again). Confined to one event loop.
 */
final class RoomFeed {

  /** Pokes held ahead of a gap at most; one more and the feed reads instead. */
  static final int MAX_HELD = 1_000;
  /** Messages handed out that the feed remembers, to recognise a late poke of one of them. */
  static final int RECENT = 64;

  /** What a poke asks of the feed's owner. */
  enum Action {
    /** Nothing: the feed is not started, or the poke repeats a message handed out already. */
    NONE,
    /** Messages are ready in order: {@link #take()} them (after any read in flight completes). */
    DELIVER,
    /** A gap before the held messages: wait briefly for its poke, then read if it is still open. */
    AWAIT_GAP,
    /** Read the ringbuffer now: the poke cannot be placed, or too many are held. */
    READ
  }

  private long next = -1;
  private final TreeMap<Long, String> held = new TreeMap<>();
  /** Allocated with the first message handed out: most rooms on a node are quiet. */
  private long[] recentSeqs;
  private String[] recentItems;

  /** Whether the feed knows where it stands. */
  boolean started() {
    return next >= 0;
  }

  /** The next seq to hand out; -1 before {@link #start}. */
  long next() {
    return next;
  }

  /** Starts (or restarts, when the room began again) at {@code next}, forgetting what was held and handed out. */
  void start(long next) {
    this.next = next;
    held.clear();
    recentSeqs = null;
    recentItems = null;
  }

  /** The message at {@code next - 1} as handed out, or null when the feed does not remember it. */
  String last() {
    return recalled(next - 1);
  }

  /** A poke of the message {@code item} stored at {@code seq}. */
  Action offer(long seq, String item) {
    if (next < 0) {
      return Action.NONE; // the read that follows the start covers it
    }
    if (seq < next) {
      return item.equals(recalled(seq)) ? Action.NONE : Action.READ;
    }
    if (held.size() >= MAX_HELD && !held.containsKey(seq)) {
      held.clear();
      return Action.READ;
    }
    held.put(seq, item);
    return held.firstKey() == next ? Action.DELIVER : Action.AWAIT_GAP;
  }

  /** Whether held messages wait behind a gap. */
  boolean gapOpen() {
    return !held.isEmpty() && held.firstKey() > next;
  }

  /** Takes the held messages that continue the feed without a gap, advancing past them. */
  RoomBatch take() {
    long first = next;
    List<String> run = new ArrayList<>();
    while (!held.isEmpty() && held.firstKey() == next) {
      String item = held.pollFirstEntry().getValue();
      remember(next, item);
      run.add(item);
      next++;
    }
    return run.isEmpty() ? RoomBatch.EMPTY : RoomBatch.of(first, run);
  }

  /** The owner read {@code batch} from the ringbuffer and hands it out: the feed continues after it. */
  void advance(RoomBatch batch) {
    for (int i = 0; i < batch.readCount(); i++) {
      remember(batch.first() + i, batch.items()[i]);
    }
    next = Math.max(next, batch.next());
    held.headMap(next).clear();
  }

  /** Held messages (for tests and metrics). */
  Map<Long, String> held() {
    return Collections.unmodifiableMap(held);
  }

  /** The message handed out at {@code seq}, if the feed still remembers it. */
  private String recalled(long seq) {
    if (recentSeqs == null || seq < 0) {
      return null;
    }
    int i = slot(seq);
    return recentSeqs[i] == seq ? recentItems[i] : null;
  }

  private void remember(long seq, String item) {
    if (recentSeqs == null) {
      recentSeqs = new long[RECENT];
      recentItems = new String[RECENT];
      Arrays.fill(recentSeqs, -1);
    }
    int i = slot(seq);
    recentSeqs[i] = seq;
    recentItems[i] = item;
  }

  private static int slot(long seq) {
    return (int) Math.floorMod(seq, (long) RECENT);
  }
}
