package dev.switchboard.backend.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Keeps one connection's publishes in the order it sent them. Each publish's id is claimed first (the
 * claims overlap); the appends then go out in the order the publishes came, one append in flight at a
 * time: the publishes whose claims came back while an append was in flight, to the same room, go out
 * together in the next append, so a connection that publishes faster than an append round trip is not
 * held to one message per round trip. Ordering is per connection: two connections never wait for each
 * other. Confined to the connection's event loop.
 */
public final class PublishOrder {

  /** Most publishes appended in one call. */
  static final int MAX_BATCH = 100;

  /** Appends items to a room in one call; completes with the seq of the last (the seqs are contiguous). */
  @FunctionalInterface
  interface Appender {
    Future<Long> append(String room, List<String> items);
  }

  /**
   * How a publish ended: appended at {@code seq}, or not appended because its id was claimed already
   * ({@code seq} is then the claim's value, {@link dev.switchboard.cluster.PublishClaim#PENDING} while pending).
   */
  record Outcome(long seq, boolean appended) {
  }

  private record Entry(String room, String item, Future<Long> claim, Appender appender, Promise<Outcome> outcome) {
  }

  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private boolean appending;

  /**
   * Queues a publish of {@code item} to {@code room}. {@code claim} completes with null when this
   * publish claimed its id (it is then appended, in turn), else with the value the id had.
   */
  Future<Outcome> submit(String room, String item, Future<Long> claim, Appender appender) {
    Entry entry = new Entry(room, item, claim, appender, Promise.promise());
    queue.add(entry);
    claim.onComplete(ar -> pump());
    return entry.outcome().future();
  }

  private void pump() {
    while (!appending && !queue.isEmpty()) {
      Entry head = queue.peek();
      if (!head.claim().isComplete()) {
        return; // the next in order is not claimed yet: nothing behind it may overtake it
      }
      if (head.claim().failed()) {
        queue.poll().outcome().fail(head.claim().cause());
      } else if (head.claim().result() != null) {
        queue.poll().outcome().complete(new Outcome(head.claim().result(), false));
      } else {
        append(run(head));
      }
    }
  }

  /** Takes the head and the publishes right behind it that are claimed, new, and for the same room. */
  private List<Entry> run(Entry head) {
    List<Entry> run = new ArrayList<>();
    for (Iterator<Entry> it = queue.iterator(); it.hasNext() && run.size() < MAX_BATCH; ) {
      Entry e = it.next();
      if (!e.room().equals(head.room()) || !e.claim().succeeded() || e.claim().result() != null) {
        break;
      }
      run.add(e);
      it.remove();
    }
    return run;
  }

  private void append(List<Entry> run) {
    appending = true;
    List<String> items = new ArrayList<>(run.size());
    run.forEach(e -> items.add(e.item()));
    Future<Long> appended;
    try {
      appended = run.get(0).appender().append(run.get(0).room(), items);
    } catch (RuntimeException e) {
      appended = Future.failedFuture(e);
    }
    appended.onComplete(ar -> {
      appending = false;
      for (int i = 0; i < run.size(); i++) {
        if (ar.succeeded()) {
          run.get(i).outcome().complete(new Outcome(ar.result() - (run.size() - 1) + i, true));
        } else {
          run.get(i).outcome().fail(ar.cause());
        }
      }
      pump();
    });
  }
}
