package dev.switchboard.coordinator.impl;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open SSE streams of one shard. Frames come encoded once and the same buffers are written to each
 * subscriber; the frames of one batch are joined into one write (one flush) per subscriber. A
 * subscriber whose queue is full is disconnected rather than slowing the rest. Confined to its
 * shard's event loop, except the counters, which any thread may read.
 */
final class SubscriberHub {

  private final int maxSubscribers;
  /** Open streams of all shards together: the limit is the coordinator's, not a shard's. */
  private final AtomicInteger open;
  private final Set<Subscriber> subscribers = new LinkedHashSet<>();
  private final AtomicLong framesWritten = new AtomicLong();
  private final AtomicLong slowDisconnects = new AtomicLong();

  /** A hub of a coordinator with one shard. */
  SubscriberHub(int maxSubscribers) {
    this(maxSubscribers, new AtomicInteger());
  }

  /** @param open the coordinator's count of open streams, shared by its shards */
  SubscriberHub(int maxSubscribers, AtomicInteger open) {
    this.maxSubscribers = maxSubscribers;
    this.open = open;
  }

  /**
   * Takes one of the coordinator's subscriber slots for a stream about to join; false when all are
   * taken. The slot is given back when the subscriber leaves, or at {@link #add} if it already closed.
   */
  boolean reserve() {
    while (true) {
      int n = open.get();
      if (n >= maxSubscribers) {
        return false;
      }
      if (open.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Adds a subscriber that holds a slot and has been sent its first frames; one that closed meanwhile gives its slot back. */
  void add(Subscriber subscriber) {
    if (subscriber.closed()) {
      open.decrementAndGet();
    } else {
      subscribers.add(subscriber);
    }
  }

  /** Gives back the slot of a stream that was reserved but will never be added. */
  void release() {
    open.decrementAndGet();
  }

  void remove(Subscriber subscriber) {
    if (subscribers.remove(subscriber)) {
      open.decrementAndGet();
    }
  }

  /** Subscribers of this shard. */
  int size() {
    return subscribers.size();
  }

  long framesWritten() {
    return framesWritten.get();
  }

  long slowDisconnects() {
    return slowDisconnects.get();
  }

  /** Sends a batch of frames, in order, to every subscriber whose filter they match: one write per subscriber. */
  void broadcast(List<ViewEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    // the joined frames per filter, built once per batch (filters are few: all, or one service)
    Map<String, Joined> joined = new HashMap<>();
    List<Subscriber> slow = null;
    long written = 0;
    for (Subscriber s : subscribers) {
      Joined frames = joined.computeIfAbsent(s.service() == null ? "" : s.service(), k -> join(events, s.service()));
      if (frames.frame() == null) {
        continue;
      }
      if (s.offer(frames.frame())) {
        written += frames.changes();
      } else {
        slow = slow == null ? new ArrayList<>() : slow;
        slow.add(s);
      }
    }
    framesWritten.addAndGet(written);
    dropAll(slow);
  }

  /** The frames a subscriber of one filter gets from a batch, as one buffer (null: none), and how many are changes. */
  private record Joined(Buffer frame, int changes) {
  }

  private static Joined join(List<ViewEvent> events, String filter) {
    Buffer out = null;
    int matched = 0;
    int changes = 0;
    for (ViewEvent e : events) {
      if (e.matches(filter)) {
        matched++;
        changes += e.seq() >= 0 ? 1 : 0;
        // one frame is written as it is; several are copied into one buffer, once per filter
        out = matched == 1 ? e.frame() : (matched == 2 ? Buffer.buffer().appendBuffer(out) : out).appendBuffer(e.frame());
      }
    }
    return new Joined(out, changes);
  }

  /** Closes every stream, as when the coordinator stops. */
  void closeAll() {
    List<Subscriber> all = new ArrayList<>(subscribers);
    subscribers.clear();
    open.addAndGet(-all.size());
    all.forEach(Subscriber::disconnect);
  }

  private void dropAll(List<Subscriber> slow) {
    if (slow == null) {
      return;
    }
    for (Subscriber s : slow) {
      remove(s);
      slowDisconnects.incrementAndGet();
      s.disconnect();
    }
  }
}
