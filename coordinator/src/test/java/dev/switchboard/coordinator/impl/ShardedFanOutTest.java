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
  private int maxInbox = SubscriberShard.DEFAULT_MAX_INBOX;
  private volatile boolean closing;

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
    closing = true;
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private int deploy(int instances, int at) throws Exception {
    AtomicInteger bound = new AtomicInteger();
    vertx.deployVerticle(() -> new ShardVerticle(fanOut, nanos -> { }, maxInbox, shard -> {
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
    /** Whether a stream the server ends is opened again with the last id, as EventSource does. */
    volatile boolean reopen;
    volatile int ended;
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
        resp.endHandler(v -> reopenAfterEnd(number));
        resp.exceptionHandler(e -> reopenAfterEnd(number));
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

    private void reopenAfterEnd(int number) {
      if (reopen && number == connection && !closing) {
        ended++;
        open(EPOCH + "-" + last);
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
  void aShardThatFallsBehindCutsItsStreamsAndTheyResumeWithoutAGap() throws Exception {
    maxInbox = 64;
    start(100_000);
    Thread viewThread = threadOf(viewContext);
    List<Reader> readers = new ArrayList<>();
    SubscriberShard behind = null;
    // readers until one sits on a shard whose loop is not the view's (that loop is blocked below)
    while (behind == null && readers.size() < 100) {
      Reader r = new Reader(0);
      r.reopen = true;
      readers.add(r);
      r.open(null).await(10, TimeUnit.SECONDS);
      await("a snapshot", () -> !r.snapshots.isEmpty());
      for (SubscriberShard shard : shards) {
        if (threadOf(shard.context()) != viewThread && subscribersOf(shard) > 0) {
          behind = shard;
        }
      }
    }
    assertTrue(behind != null, "no reader on a shard off the view's loop");
    int before = subscribersOf(behind);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    behind.context().runOnContext(v -> {
      try {
        release.await(20, TimeUnit.SECONDS); // the shard's loop stalls while 200 changes are posted to it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Promise<Long> posted = Promise.promise();
    // one change per turn of the view's loop, so shards that share that loop keep up
    AtomicInteger changes = new AtomicInteger();
    viewContext.runOnContext(v -> vertx.setPeriodic(1, id -> {
      view.upsert(record(1_000 + changes.incrementAndGet())).ifPresent(fanOut::publish);
      if (changes.get() == 200) {
        vertx.cancelTimer(id);
        posted.complete(view.seq());
      }
    }));
    long last = posted.future().await(10, TimeUnit.SECONDS);
    release.countDown();
    await("every reader to reach change " + last, () -> readers.stream().allMatch(r -> r.last == last));
    long cut = readers.stream().filter(r -> r.ended > 0).count();
    assertEquals(before, cut, "the streams of the shard that fell behind were cut, the others not");
    for (Reader r : readers) {
      List<Long> expected = new ArrayList<>();
      for (long s = r.first() + 1; s <= last; s++) {
        expected.add(s);
      }
      assertEquals(expected, r.seqs, "a cut stream resumes from its last id without a gap or a repeat");
    }
  }

  private Thread threadOf(Context context) throws Exception {
    Promise<Thread> thread = Promise.promise();
    context.runOnContext(v -> thread.complete(Thread.currentThread()));
    return thread.future().await(5, TimeUnit.SECONDS);
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
