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
  /** Characters of held pokes at most (about 8 MiB): past it the feed reads instead of holding more. */
  static final long MAX_HELD_CHARS = 4L << 20;
  /**
   * Messages handed out that the feed recognises, to tell a late poke of one of them. It keeps their
   * fingerprints, not the messages: a quiet room's feed lives as long as its members, and up to
   * 10,000 rooms of 64 KiB messages would otherwise pin gigabytes.
   */
  static final int RECENT = 64;
  /** No fingerprint: the feed does not remember that seq. */
  static final long UNKNOWN = 0;

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
  private long heldChars;
  /** Allocated with the first message handed out: most rooms on a node are quiet. */
  private long[] recentSeqs;
  private long[] recentPrints;

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
    clearHeld();
    recentSeqs = null;
    recentPrints = null;
  }

  /** The fingerprint of the message at {@code next - 1} as handed out, or {@link #UNKNOWN}. */
  long last() {
    return recalled(next - 1);
  }

  /** A message's fingerprint (64-bit FNV-1a over its chars, never {@link #UNKNOWN}). */
  static long fingerprint(String item) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < item.length(); i++) {
      h = (h ^ item.charAt(i)) * 0x100000001b3L;
    }
    return h == UNKNOWN ? 1 : h;
  }

  /** A poke of the message {@code item} stored at {@code seq}. */
  Action offer(long seq, String item) {
    if (next < 0) {
      return Action.NONE; // the read that follows the start covers it
    }
    if (seq < next) {
      return fingerprint(item) == recalled(seq) ? Action.NONE : Action.READ;
    }
    if ((held.size() >= MAX_HELD || heldChars + item.length() > MAX_HELD_CHARS) && !held.containsKey(seq)) {
      clearHeld();
      return Action.READ;
    }
    String before = held.put(seq, item);
    heldChars += item.length() - (before == null ? 0 : before.length());
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
      heldChars -= item.length();
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
    Map<Long, String> passed = held.headMap(next);
    passed.values().forEach(item -> heldChars -= item.length());
    passed.clear();
  }

  private void clearHeld() {
    held.clear();
    heldChars = 0;
  }

  /** Held messages (for tests and metrics). */
  Map<Long, String> held() {
    return Collections.unmodifiableMap(held);
  }

  /** The fingerprint of the message handed out at {@code seq}, or {@link #UNKNOWN}. */
  private long recalled(long seq) {
    if (recentSeqs == null || seq < 0) {
      return UNKNOWN;
    }
    int i = slot(seq);
    return recentSeqs[i] == seq ? recentPrints[i] : UNKNOWN;
  }

  private void remember(long seq, String item) {
    if (recentSeqs == null) {
      recentSeqs = new long[RECENT];
      recentPrints = new long[RECENT];
      Arrays.fill(recentSeqs, -1);
    }
    int i = slot(seq);
    recentSeqs[i] = seq;
    recentPrints[i] = fingerprint(item);
  }

  private static int slot(long seq) {
    return (int) Math.floorMod(seq, (long) RECENT);
  }
}
