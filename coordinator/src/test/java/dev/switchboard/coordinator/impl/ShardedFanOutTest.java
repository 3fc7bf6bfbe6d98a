package dev.switchboard.coordinator.impl;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.SseEvent;
import dev.switchboard.model.SseParser;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The sharded fan-out over real sockets in one process: a view on its own loop, shard servers on four
 * loops sharing one port, subscribers joining and resuming while changes stream.
 */
class ShardedFanOutTest {

  private static final int SHARDS = 4;
  private static final String EPOCH = "ep";

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(SHARDS));
  private final Context viewContext = vertx.getOrCreateContext();
  private final BackendView view = new BackendView(EPOCH, 4096);
  private final List<SubscriberShard> shards = new CopyOnWriteArrayList<>();
  private FanOut fanOut;
  private HttpClient client;
  private int port;

  private void start(int maxSubscribers) throws Exception {
    fanOut = new FanOut(viewContext, view, 2_000, CoordinatorServer.pingFrame(15_000), maxSubscribers);
    port = deploy(SHARDS, CoordinatorServer.sharedPort(0));
  }

  @BeforeEach
  void client() {
    client = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(0), new PoolOptions().setHttp1MaxSize(10_000));
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private int deploy(int instances, int at) throws Exception {
    AtomicInteger bound = new AtomicInteger();
    vertx.deployVerticle(() -> new ShardVerticle(fanOut, nanos -> { }, shard -> {
      shards.add(shard);
      Router router = Router.router(vertx);
      router.get("/v1/backends/stream").handler(new StreamEndpoint(fanOut, shard, 256 * 1024, 2_000)::handle);
      return vertx.createHttpServer().requestHandler(router).listen(at, "127.0.0.1").onSuccess(s -> bound.set(s.actualPort()));
    }), new DeploymentOptions().setInstances(instances)).await(10, TimeUnit.SECONDS);
    return bound.get();
  }

  private static BackendRecord record(int load) {
    return new BackendRecord("b1", "chat", "ws://127.0.0.1:9000/ws", "n1", "local", BackendState.UP, load, 1_000_000, 100, 1L);
  }

  /** One SSE reader: the sequence numbers of the changes it saw, in order, across its reconnections. */
  private final class Reader {
    final List<Long> seqs = new CopyOnWriteArrayList<>();
    final List<String> snapshots = new CopyOnWriteArrayList<>();
    final List<String> log = new CopyOnWriteArrayList<>();
    final int cutAfter;
    volatile long last = -1;
    volatile boolean resumed;
    private volatile int connection;

    Reader(int cutAfter) {
      this.cutAfter = cutAfter;
    }

    Future<Void> open(String lastEventId) {
      RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
          .setURI("/v1/backends/stream");
      if (lastEventId != null) {
        request.putHeader("Last-Event-ID", lastEventId);
      }
      int number = ++connection;
      return client.request(request).compose(req -> req.send()).map(resp -> {
        if (resp.statusCode() != 200) {
          throw new IllegalStateException("status " + resp.statusCode());
        }
        // a connection that was cut may still hand over events it had already read: not this reader's any more
        SseParser parser = new SseParser(e -> {
          if (number == connection) {
            onEvent(resp, e);
          }
        });
        resp.handler(b -> parser.feed(b.getBytes()));
        return null;
      });
    }

    private void onEvent(HttpClientResponse resp, SseEvent event) {
      if (!"snapshot".equals(event.event()) && !"upsert".equals(event.event())) {
        return; // a ping: it carries the last id on, as every SSE event does, but is no change
      }
      long seq = Long.parseLong(event.id().substring(EPOCH.length() + 1));
      log.add(connection + ":" + event.event() + ":" + seq);
      if ("snapshot".equals(event.event())) {
        snapshots.add(event.id());
      } else {
        seqs.add(seq);
      }
      last = seq;
      if (!resumed && cutAfter > 0 && seqs.size() == cutAfter) {
        resumed = true;
        resp.request().connection().close().onComplete(ar -> open(event.id()));
      }
    }

    long first() {
      return Long.parseLong(snapshots.get(0).substring(EPOCH.length() + 1));
    }
  }

  /** Upserts the record every millisecond from the view's loop, two changes per tick, until told to stop; completes with the last seq. */
  private Future<Long> stream(BooleanSupplier stop) {
    Promise<Long> done = Promise.promise();
    viewContext.runOnContext(v -> {
      AtomicInteger load = new AtomicInteger();
      vertx.setPeriodic(1, id -> {
        for (int i = 0; i < 2; i++) {
          view.upsert(record(load.incrementAndGet())).ifPresent(fanOut::publish);
        }
        if (stop.getAsBoolean()) {
          vertx.cancelTimer(id);
          done.complete(view.seq());
        }
      });
    });
    return done.future();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > until) {
        fail("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  private int subscribersOf(SubscriberShard shard) throws Exception {
    Promise<Integer> size = Promise.promise();
    shard.context().runOnContext(v -> size.complete(shard.hub().size()));
    return size.future().await(5, TimeUnit.SECONDS);
  }

  @Test
  void subscribersOnSeveralShardsEachSeeEveryChangeOnceInOrderWhileChangesStream() throws Exception {
    start(100_000);
    List<Reader> readers = new ArrayList<>();
    AtomicInteger opened = new AtomicInteger();
    int total = 200;
    // every third reader drops its connection after a few changes and resumes with Last-Event-ID
    for (int i = 0; i < total; i++) {
      readers.add(new Reader(i % 3 == 0 ? 1 + i % 7 : 0));
    }
    Future<Long> streamed = stream(() -> opened.get() == total && view.seq() >= 1_000);
    for (int i = 0; i < total; i += 20) {
      List<Future<Void>> batch = new ArrayList<>();
      for (Reader r : readers.subList(i, i + 20)) {
        batch.add(r.open(null).onSuccess(v -> opened.incrementAndGet()));
      }
      Future.all(batch).await(10, TimeUnit.SECONDS);
    }
    long last = streamed.await(30, TimeUnit.SECONDS);
    await("every reader to reach change " + last, () -> readers.stream().allMatch(r -> r.last == last));

    int withSubscribers = 0;
    for (SubscriberShard shard : shards) {
      withSubscribers += subscribersOf(shard) > 0 ? 1 : 0;
    }
    assertEquals(SHARDS, shards.size());
    assertTrue(withSubscribers >= 2, "subscribers spread over " + withSubscribers + " shard(s)");
    int cutOnes = 0;
    for (Reader r : readers) {
      assertEquals(1, r.snapshots.size(), "a resume with a known id replays, it does not send a snapshot again");
      List<Long> expected = new ArrayList<>();
      for (long s = r.first() + 1; s <= last; s++) {
        expected.add(s);
      }
      if (!expected.equals(r.seqs)) {
        fail("not gap-free, in order and without repeats: " + r.log.subList(0, Math.min(20, r.log.size())));
      }
      cutOnes += r.resumed ? 1 : 0;
    }
    assertTrue(cutOnes > 0, "some readers resumed");
    assertTrue(readers.stream().anyMatch(r -> r.first() > 0), "some readers joined while changes streamed");
  }

  @Test
  void theSubscriberLimitCountsTheStreamsOfAllShards() throws Exception {
    start(6);
    List<Reader> readers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Reader r = new Reader(0);
      readers.add(r);
      r.open(null).await(10, TimeUnit.SECONDS);
    }
    await("six streams joined", () -> fanOut.subscribers() == 6 && readers.stream().allMatch(r -> !r.snapshots.isEmpty()));
    Future<Void> seventh = new Reader(0).open(null);
    Throwable refused = seventh.transform(ar -> Future.succeededFuture(ar.cause())).await(10, TimeUnit.SECONDS);
    assertTrue(refused != null && refused.getMessage().contains("503"), "the seventh stream is refused: " + refused);
  }
}
