package dev.switchboard.coordinator.impl;

import dev.switchboard.model.SseWriter;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The view's side of the sharded fan-out. Each change, encoded once by the view, is posted to every
 * shard; a new subscriber's first frames (retry, snapshot or replay, ping) are computed on the view's
 * loop and posted to its shard in the same stream of posts, so it sees no change twice and misses none.
 * {@link #publish}, {@link #broadcastAll} and the joins run on the view's loop; shards come and go from
 * their own loops.
 */
final class FanOut {

  private final Context viewContext;
  private final BackendView view;
  private final Buffer retry;
  private final Buffer ping;
  private final int maxSubscribers;
  private final AtomicInteger open = new AtomicInteger();
  private final List<SubscriberShard> shards = new CopyOnWriteArrayList<>();

  /**
   * @param viewContext the loop that owns {@code view}
   * @param retryMs the SSE {@code retry} sent first on every stream
   * @param ping the ping event sent after the first frames, announcing the keep-alive period
   */
  FanOut(Context viewContext, BackendView view, long retryMs, Buffer ping, int maxSubscribers) {
    this.viewContext = viewContext;
    this.view = view;
    this.retry = Buffer.buffer(SseWriter.retry(retryMs));
    this.ping = ping;
    this.maxSubscribers = maxSubscribers;
  }

  /** A hub for a new shard, counting against this coordinator's subscriber limit. */
  SubscriberHub newHub() {
    return new SubscriberHub(maxSubscribers, open);
  }

  /** Starts posting to a shard; call before its server accepts streams. */
  void add(SubscriberShard shard) {
    shards.add(shard);
  }

  void remove(SubscriberShard shard) {
    shards.remove(shard);
  }

  /** Sends one change to the subscribers of every shard. */
  void publish(ViewEvent event) {
    for (SubscriberShard shard : shards) {
      shard.post(event);
    }
  }

  /** Sends a frame, such as a keep-alive, to every subscriber of every shard. */
  void broadcastAll(Buffer frame) {
    publish(ViewEvent.toAll(frame));
  }

  /**
   * Joins a subscriber that holds a slot ({@link SubscriberHub#reserve}) to {@code shard}: from the
   * view's loop, its first frames are the changes after {@code lastEventId} when the history has them,
   * else a snapshot; every change after those follows in order.
   */
  void join(SubscriberShard shard, Subscriber subscriber, String lastEventId) {
    viewContext.runOnContext(v -> shard.join(subscriber, firstFrames(lastEventId, subscriber.service())));
  }

  private Buffer firstFrames(String lastEventId, String service) {
    Buffer first = Buffer.buffer().appendBuffer(retry);
    Optional<List<ViewEvent>> missed = view.since(lastEventId, service);
    if (missed.isPresent()) {
      missed.get().forEach(e -> first.appendBuffer(e.frame()));
    } else {
      first.appendBuffer(view.snapshotFrame(service));
    }
    return first.appendBuffer(ping); // tells the client the keep-alive period at once
  }

  /** Open streams over all shards. */
  int subscribers() {
    return open.get();
  }

  long framesWritten() {
    return shards.stream().mapToLong(s -> s.hub().framesWritten()).sum();
  }

  long slowDisconnects() {
    return shards.stream().mapToLong(s -> s.hub().slowDisconnects()).sum();
  }

  int shards() {
    return shards.size();
  }
}
