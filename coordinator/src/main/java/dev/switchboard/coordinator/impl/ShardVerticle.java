package dev.switchboard.coordinator.impl;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;

import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * One fan-out shard: an HTTP server on its own event loop, sharing the coordinator's port with the
 * other shards (Vert.x hands each new connection to one of them in turn), and the SSE subscribers of
 * the connections it accepted.
 */
final class ShardVerticle extends VerticleBase {

  private final FanOut fanOut;
  private final LongConsumer fannedOut;
  private final Function<SubscriberShard, Future<HttpServer>> serve;
  private final int maxInbox;
  private SubscriberShard shard;
  private HttpServer server;

  /**
   * @param fannedOut told how long each batch took to write
   * @param serve creates and starts this shard's server, whose stream route joins subscribers to the shard
   */
  ShardVerticle(FanOut fanOut, LongConsumer fannedOut, Function<SubscriberShard, Future<HttpServer>> serve) {
    this(fanOut, fannedOut, SubscriberShard.DEFAULT_MAX_INBOX, serve);
  }

  /** @param maxInbox items the shard's inbox holds before it cuts its streams (see {@link SubscriberShard}) */
  ShardVerticle(FanOut fanOut, LongConsumer fannedOut, int maxInbox, Function<SubscriberShard, Future<HttpServer>> serve) {
    this.fanOut = fanOut;
    this.fannedOut = fannedOut;
    this.serve = serve;
    this.maxInbox = maxInbox;
  }

  @Override
  public Future<?> start() {
    shard = new SubscriberShard(context, fanOut.newHub(), fannedOut, maxInbox);
    fanOut.add(shard);
    return serve.apply(shard)
        .onSuccess(s -> server = s)
        .onFailure(e -> fanOut.remove(shard));
  }

  @Override
  public Future<?> stop() {
    fanOut.remove(shard);
    shard.hub().closeAll();
    return server == null ? Future.succeededFuture() : server.close();
  }
}
