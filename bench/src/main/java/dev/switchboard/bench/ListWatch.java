package dev.switchboard.bench;

import dev.switchboard.client.BackendListStream;
import dev.switchboard.client.ListEvent;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * One subscriber of a coordinator's list (one service), as a client sees it: the latest list for any
 * thread to read, every {@code remove} with its time, and the {@code suspect} upserts. A resumed stream
 * that answers with a fresh snapshot counts a backend missing from it as removed.
 */
final class ListWatch implements AutoCloseable {

  /** A backend left the list: when (nanoTime), and the reason the coordinator gave. */
  record Removal(String id, String reason, long at) {
  }

  private final Context context;
  private final BackendListStream stream;
  private final AtomicReference<Map<String, BackendRecord>> list = new AtomicReference<>(Map.of());
  private final List<Removal> removals = new CopyOnWriteArrayList<>();
  private final AtomicInteger suspectUpserts = new AtomicInteger();
  private final AtomicInteger suspectFlaps = new AtomicInteger();
  private final AtomicInteger snapshots = new AtomicInteger();

  private ListWatch(Vertx vertx, String coordinator, String service) {
    this.context = vertx.getOrCreateContext();
    this.stream = new BackendListStream(vertx, coordinator, service);
  }

  /** Subscribes and returns once the first list arrived. */
  static ListWatch open(Vertx vertx, String coordinator, String service) throws Exception {
    ListWatch watch = new ListWatch(vertx, coordinator, service);
    Promise<Void> opened = Promise.promise();
    watch.context.runOnContext(v -> watch.stream.handler(watch::onEvent).open().onComplete(opened));
    opened.future().await(60, TimeUnit.SECONDS);
    return watch;
  }

  private void onEvent(ListEvent e) {
    Map<String, BackendRecord> before = list.get();
    long now = System.nanoTime();
    if (e instanceof ListEvent.Snapshot s) {
      if (snapshots.getAndIncrement() > 0) {
        Map<String, BackendRecord> after = new HashMap<>();
        s.backends().forEach(b -> after.put(b.id(), b));
        before.keySet().stream().filter(id -> !after.containsKey(id)).forEach(id -> removed(id, "missing from a new snapshot", now));
      }
      s.backends().forEach(b -> suspect(before.get(b.id()), b));
    } else if (e instanceof ListEvent.Upsert u) {
      suspect(before.get(u.backend().id()), u.backend());
    } else if (e instanceof ListEvent.Remove r) {
      removed(r.id(), r.reason(), now);
    }
    list.set(Map.copyOf(stream.backends()));
  }

  private void suspect(BackendRecord before, BackendRecord now) {
    if (now.suspect()) {
      suspectUpserts.incrementAndGet();
      if (before == null || !before.suspect()) {
        suspectFlaps.incrementAndGet();
      }
    }
  }

  private void removed(String id, String reason, long at) {
    removals.add(new Removal(id, reason, at));
  }

  /** The list as last received, by id. */
  Map<String, BackendRecord> backends() {
    return list.get();
  }

  /** Waits until the list satisfies {@code condition}; fails naming {@code what} after {@code timeout}. */
  Map<String, BackendRecord> await(String what, Duration timeout, Predicate<Map<String, BackendRecord>> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Map<String, BackendRecord> now = list.get();
      if (condition.test(now)) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the list never showed " + what + " within " + timeout + ": " + now.values());
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** Connections the list shows, summed (counts are coalesced by the backends, up to a second old). */
  static int connections(Map<String, BackendRecord> list) {
    return list.values().stream().mapToInt(BackendRecord::connections).sum();
  }

  /** When a {@code remove} of {@code id} first arrived at or after {@code since} (nanoTime), or 0. */
  long removedAt(String id, long since) {
    return removals.stream().filter(r -> r.id().equals(id) && r.at() >= since).mapToLong(Removal::at).findFirst().orElse(0);
  }

  List<Removal> removals() {
    return List.copyOf(removals);
  }

  /** Upserts (or snapshot entries) flagged {@code "suspect": true}. */
  int suspectUpserts() {
    return suspectUpserts.get();
  }

  /** Times a backend turned suspect (was listed without the flag, or not at all, before). */
  int suspectFlaps() {
    return suspectFlaps.get();
  }

  /** Counters back to zero (the list is kept). */
  void reset() {
    removals.clear();
    suspectUpserts.set(0);
    suspectFlaps.set(0);
  }

  @Override
  public void close() throws Exception {
    Promise<Void> closed = Promise.promise();
    context.runOnContext(v -> stream.close().onComplete(closed));
    closed.future().await(30, TimeUnit.SECONDS);
  }
}
