package dev.switchboard.coordinator.impl;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The subscribers of one event loop and their inbox. The view's loop posts changes and joins into the
 * inbox; the shard's loop drains it in order, so a subscriber's first frames (snapshot or replay),
 * posted when it joined, come before every change posted after them. Changes queued together are sent
 * as one write per subscriber (flushes coalesced per loop turn).
 */
final class SubscriberShard {

  private static final Logger log = LoggerFactory.getLogger(SubscriberShard.class);

  private sealed interface Item permits Change, Join {
  }

  private record Change(ViewEvent event) implements Item {
  }

  private record Join(Subscriber subscriber, Buffer first) implements Item {
  }

  /** Items one drain takes at most, so a storm of changes cannot hold the loop from its sockets' reads. */
  static final int MAX_ITEMS_PER_TURN = 1_024;
  /**
   * Items the inbox holds at most. A shard this far behind (its loop blocked or starved) drops what is
   * queued and cuts its streams instead of growing: their clients resume with Last-Event-ID (a replay
   * from the view's history, or a snapshot), which is also how a slow subscriber recovers.
   */
  static final int DEFAULT_MAX_INBOX = 65_536;

  private final Context context;
  private final SubscriberHub hub;
  private final LongConsumer fannedOut;
  private final Queue<Item> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean overflowed = new AtomicBoolean();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final int maxInbox;

  /**
   * @param context the shard's event loop, where {@code hub} lives
   * @param fannedOut told how long each batch took to write, in nanoseconds
   */
  SubscriberShard(Context context, SubscriberHub hub, LongConsumer fannedOut) {
    this(context, hub, fannedOut, DEFAULT_MAX_INBOX);
  }

  SubscriberShard(Context context, SubscriberHub hub, LongConsumer fannedOut, int maxInbox) {
    this.context = context;
    this.hub = hub;
    this.fannedOut = fannedOut;
    this.maxInbox = maxInbox;
  }

  Context context() {
    return context;
  }

  SubscriberHub hub() {
    return hub;
  }

  /** Queues a frame for the subscribers it matches; any thread. */
  void post(ViewEvent event) {
    offer(new Change(event));
  }

  /** Queues a subscriber's first frames, after which it gets every change queued later; any thread. */
  void join(Subscriber subscriber, Buffer first) {
    offer(new Join(subscriber, first));
  }

  /** Removes a subscriber; on the shard's loop. */
  void leave(Subscriber subscriber) {
    hub.remove(subscriber);
  }

  private void offer(Item item) {
    if (queued.incrementAndGet() > maxInbox) {
      queued.decrementAndGet();
      overflowed.set(true);
      if (item instanceof Join join) {
        context.runOnContext(v -> refuse(join)); // it resumes once the shard caught up
      }
    } else {
      inbox.add(item);
    }
    scheduleDrain();
  }

  private void scheduleDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> drain());
    }
  }

  private void drain() {
    // cleared first: an item added while draining schedules another drain rather than being missed
    drainScheduled.set(false);
    if (overflowed.getAndSet(false)) {
      dropBacklog();
      return;
    }
    List<ViewEvent> batch = new ArrayList<>();
    int taken = 0;
    for (Item item = inbox.poll(); item != null; item = ++taken < MAX_ITEMS_PER_TURN ? inbox.poll() : null) {
      queued.decrementAndGet();
      if (item instanceof Change change) {
        batch.add(change.event());
      } else if (item instanceof Join join) {
        send(batch); // changes queued before the join are not the joiner's
        batch.clear();
        join.subscriber().offer(join.first()); // a fresh stream's queue is empty: never refused
        hub.add(join.subscriber());
      }
    }
    send(batch);
    if (!inbox.isEmpty()) {
      scheduleDrain(); // the rest in a later turn, after the loop's other work
    }
  }

  /** Changes were dropped: every stream of this shard missed some, so each is cut and resumes by its last id. */
  private void dropBacklog() {
    for (Item item = inbox.poll(); item != null; item = inbox.poll()) {
      queued.decrementAndGet();
      if (item instanceof Join join) {
        refuse(join);
      }
    }
    if (hub.size() > 0) {
      log.warn("fan-out shard fell {} items behind: its {} streams are cut and resume by Last-Event-ID", maxInbox, hub.size());
      hub.closeAll();
    }
  }

  private void refuse(Join join) {
    join.subscriber().disconnect();
    hub.release();
  }

  private void send(List<ViewEvent> batch) {
    if (!batch.isEmpty()) {
      long start = System.nanoTime();
      hub.broadcast(batch);
      fannedOut.accept(System.nanoTime() - start);
    }
  }
}
