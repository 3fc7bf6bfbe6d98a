package dev.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * Rooms at cluster speed, against the floor measured in the same run: acked publishes per second into
 * one room and spread over 100 rooms (publishers split over two backend JVMs, closed loop), and delivery
 * latency at a fixed rate into a room whose members are split over the two backends. The floor is plain
 * clustered Vert.x between two JVMs ({@link BareEventBusNode}): request/reply for an acked publish, a
 * relayed publish for a delivery.
 */
final class RoomSpeedBench {

  /** @param publishers closed-loop publishing connections; @param seconds measured per figure */
  record Settings(int publishers, int seconds, int members, int rate) {
  }

  private record Throughput(double perSecond, long errors) {
  }

  private static final int FLOOR_PORT = 6501;
  private static final long WARMUP_MS = 2_000;
  /** Bytes of padding that make the floor's messages about as long as a stored room message. */
  private static final String PADDING = "x".repeat(80);

  private final BenchCluster cluster;
  private final Vertx vertx;
  private final Settings settings;

  RoomSpeedBench(BenchCluster cluster, Vertx vertx, Settings settings) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.settings = settings;
  }

  String run() throws Exception {
    String benchJar = BenchMain.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    String name = "bench-floor-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    Throughput floorAcks;
    Stats floorDelivery;
    try (Proc bare = cluster.javaMain(benchJar, "bench-bare-eventbus", BareEventBusNode.class.getName(), name,
        String.valueOf(FLOOR_PORT))) {
      bare.await("bare event bus ready", Duration.ofSeconds(120));
      Vertx local = BareEventBusNode.start(name, FLOOR_PORT).await(2, TimeUnit.MINUTES);
      try {
        awaitReachable(local);
        System.out.println("room-speed: floor, acked requests…");
        floorAcks = closedLoop(local, settings.publishers(), i -> local.eventBus().request(BareEventBusNode.ACK, i + "|" + PADDING));
        System.out.println("room-speed: floor, relayed deliveries…");
        floorDelivery = floorDelivery(local);
      } finally {
        local.close().await(30, TimeUnit.SECONDS);
      }
    }
    Throughput one;
    Throughput hundred;
    Stats delivery;
    // rebalance off: these raw clients do not follow a drain, and one closed at its deadline stalls its loop
    String[] options = {"--instances", "1", "--rate", "1000000", "--burst", "1000000", "--rebalance", "false"};
    try (Proc a = cluster.backendNode("bench-room-speed-a", "512m", options);
         Proc b = cluster.backendNode("bench-room-speed-b", "512m", options)) {
      String urlA = a.await("switchboard backend \\S+: (ws://\\S+)", Duration.ofSeconds(120)).group(1);
      String urlB = b.await("switchboard backend \\S+: (ws://\\S+)", Duration.ofSeconds(120)).group(1);
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000));
      try {
        System.out.println("room-speed: acked publishes into 1 room…");
        one = publishes(client, urlA, urlB, 1);
        System.out.println("room-speed: acked publishes over 100 rooms…");
        hundred = publishes(client, urlA, urlB, 100);
        System.out.println("room-speed: delivery at " + settings.rate() + " messages/s…");
        delivery = delivery(client, urlA, urlB);
      } finally {
        client.close().await(30, TimeUnit.SECONDS);
      }
    }
    System.out.printf("room-speed: 1 room %,.0f/s, 100 rooms %,.0f/s, floor %,.0f/s; delivery p99 %.2f ms, floor %.2f ms%n",
        one.perSecond(), hundred.perSecond(), floorAcks.perSecond(), delivery.p99(), floorDelivery.p99());
    return report(floorAcks, one, hundred, floorDelivery, delivery);
  }

  private String report(Throughput floorAcks, Throughput one, Throughput hundred, Stats floorDelivery, Stats delivery) {
    int p = settings.publishers();
    return String.format(Locale.ROOT, "Two backend JVMs (one backend each, rate limits raised and rebalance off, out of the way) and the "
        + "coordinator; the clients run in the bench JVM on the same cores. **Acked publishes**: %d connections, half "
        + "on each backend, each sends a `publish` and waits for its `ack` (closed loop), %d s measured after %d s of "
        + "warm-up; into one room, then each publish to the next of 100 rooms; no member in those rooms. **Delivery**: "
        + "%d members, half on each backend, in one room; one publisher on backend A at %,d messages/s for %d s (the "
        + "first second not counted); latency from the `publish` written to each member's receipt. **Floor**, measured "
        + "in the same run: plain clustered Vert.x between the bench JVM and a bare JVM (`BareEventBusNode`), same "
        + "Hazelcast settings: %d closed-loop `request`/`reply`s for acked publishes; for delivery, a `send` to the bare "
        + "JVM that publishes it back to one consumer, at the same rate (two event-bus hops, like client → backend → "
        + "client; one consumer, not %d).%n%n"
        + "| measure | Switchboard | floor | ratio |%n|---|---|---|---|%n"
        + "| acked publishes/s, 1 room | %,.0f | %,.0f | %.2f× |%n"
        + "| acked publishes/s, 100 rooms | %,.0f | %,.0f | %.2f× |%n"
        + "| delivery p50 ms, %,d msg/s, %d members | %.2f | %.2f | %.2f× |%n"
        + "| delivery p99 ms, %,d msg/s, %d members | %.2f | %.2f | %.2f× |%n%n"
        + "Failed publishes: %d (1 room), %d (100 rooms); floor request failures: %d. Delivery samples: %,d (floor %,d).%n",
        p, settings.seconds(), WARMUP_MS / 1000, settings.members(), settings.rate(), settings.seconds(), p,
        settings.members(),
        one.perSecond(), floorAcks.perSecond(), one.perSecond() / floorAcks.perSecond(),
        hundred.perSecond(), floorAcks.perSecond(), hundred.perSecond() / floorAcks.perSecond(),
        settings.rate(), settings.members(), delivery.p50(), floorDelivery.p50(), delivery.p50() / floorDelivery.p50(),
        settings.rate(), settings.members(), delivery.p99(), floorDelivery.p99(), delivery.p99() / floorDelivery.p99(),
        one.errors(), hundred.errors(), floorAcks.errors(), delivery.count(), floorDelivery.count());
  }

  /** The bare node's consumers reach this JVM's view of the cluster a little after it says it is ready. */
  private static void awaitReachable(Vertx local) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        local.eventBus().request(BareEventBusNode.ACK, "hello").await(2, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        if (System.nanoTime() > until) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  /** Runs {@code loops} closed loops of {@code op} (given the loop's index); completions per second measured. */
  private Throughput closedLoop(Vertx on, int loops, IntFunction<Future<?>> op) throws InterruptedException {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    for (int i = 0; i < loops; i++) {
      int loop = i;
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        if (running.get()) {
          op.apply(loop).onComplete(ar -> {
            if (measuring.get()) {
              done.incrementAndGet();
              if (ar.failed()) {
                errors.incrementAndGet();
              }
            }
            next[0].run();
          });
        }
      };
      on.runOnContext(v -> next[0].run());
    }
    Thread.sleep(WARMUP_MS);
    measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep(settings.seconds() * 1000L);
    measuring.set(false);
    double elapsed = (System.nanoTime() - start) / 1e9;
    running.set(false);
    Thread.sleep(500); // let the loops' last requests finish
    return new Throughput((done.get() - errors.get()) / elapsed, errors.get());
  }

  /** A connection past its {@code welcome}, handing each text frame to {@code frames}. */
  private static Future<WebSocket> open(WebSocketClient client, String url, Consumer<String> frames) {
    Promise<WebSocket> welcomed = Promise.promise();
    return client.connect(new WebSocketConnectOptions().setAbsoluteURI(url)).compose(ws -> {
      ws.textMessageHandler(text -> {
        if (text.startsWith("{\"type\":\"welcome\"")) {
          welcomed.tryComplete(ws);
        } else {
          frames.accept(text);
        }
      });
      return welcomed.future();
    });
  }

  private Throughput publishes(WebSocketClient client, String urlA, String urlB, int rooms) throws Exception {
    int n = settings.publishers();
    AtomicReferenceArray<Promise<Void>> pending = new AtomicReferenceArray<>(n);
    List<Future<WebSocket>> sockets = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      sockets.add(open(client, i % 2 == 0 ? urlA : urlB, text -> {
        Promise<Void> p = pending.get(k);
        if (p != null) {
          if (text.startsWith("{\"type\":\"ack\"")) {
            p.tryComplete();
          } else if (text.startsWith("{\"type\":\"error\"")) {
            p.tryFail(text);
          }
        }
      }));
    }
    Future.all(sockets).await(60, TimeUnit.SECONDS);
    int[] counts = new int[n];
    String prefix = "speed-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-";
    Throughput result = closedLoop(vertx, n, i -> {
      Promise<Void> p = Promise.promise();
      pending.set(i, p);
      int c = counts[i]++;
      String room = prefix + ((i + c) % rooms);
      sockets.get(i).result().writeTextMessage("{\"type\":\"publish\",\"room\":\"" + room + "\",\"id\":\"p-" + i + "-" + c
          + "\",\"data\":" + c + "}");
      return p.future();
    });
    for (Future<WebSocket> s : sockets) {
      s.result().close();
    }
    return result;
  }

  private Stats delivery(WebSocketClient client, String urlA, String urlB) throws Exception {
    int members = settings.members();
    int total = settings.rate() * settings.seconds();
    AtomicLongArray sentAt = new AtomicLongArray(total);
    long[] latencies = new long[total * members];
    AtomicInteger samples = new AtomicInteger();
    AtomicInteger received = new AtomicInteger();
    AtomicInteger joined = new AtomicInteger();
    String room = "speed-fanout-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    List<Future<WebSocket>> sockets = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      sockets.add(open(client, i % 2 == 0 ? urlA : urlB, text -> {
        if (text.startsWith("{\"type\":\"joined\"")) {
          joined.incrementAndGet();
        } else if (text.startsWith("{\"type\":\"message\"")) {
          long now = System.nanoTime();
          int k = data(text);
          received.incrementAndGet();
          if (k >= settings.rate()) { // the first second warms up
            int slot = samples.getAndIncrement();
            latencies[slot] = now - sentAt.get(k);
          }
        }
      }));
    }
    Future.all(sockets).await(60, TimeUnit.SECONDS);
    sockets.forEach(s -> s.result().writeTextMessage("{\"type\":\"join\",\"room\":\"" + room + "\"}"));
    awaitCount(joined, members, 30);
    WebSocket publisher = open(client, urlA, text -> { }).await(30, TimeUnit.SECONDS);
    paced(vertx, total, k -> {
      sentAt.set(k, System.nanoTime());
      publisher.writeTextMessage("{\"type\":\"publish\",\"room\":\"" + room + "\",\"id\":\"d-" + k + "\",\"data\":" + k + "}");
    });
    awaitCount(received, total * members, 15);
    sockets.forEach(s -> s.result().close());
    publisher.close();
    return Stats.of(latencies, samples.get());
  }

  private Stats floorDelivery(Vertx local) throws Exception {
    int total = settings.rate() * settings.seconds();
    AtomicLongArray sentAt = new AtomicLongArray(total);
    long[] latencies = new long[total];
    AtomicInteger samples = new AtomicInteger();
    AtomicInteger received = new AtomicInteger();
    local.eventBus().<String>consumer(BareEventBusNode.DELIVER, m -> {
      long now = System.nanoTime();
      int k = Integer.parseInt(m.body(), 0, m.body().indexOf('|'), 10);
      received.incrementAndGet();
      if (k >= settings.rate()) {
        latencies[samples.getAndIncrement()] = now - sentAt.get(k);
      }
    }).completion().await(30, TimeUnit.SECONDS);
    Thread.sleep(1_000); // the bare JVM learns of the new consumer
    paced(local, total, k -> {
      sentAt.set(k, System.nanoTime());
      local.eventBus().send(BareEventBusNode.RELAY, k + "|" + PADDING);
    });
    awaitCount(received, total, 15);
    return Stats.of(latencies, samples.get());
  }

  /** Calls {@code send} for 0..total-1 at the configured rate, from a 1 ms timer on one event loop; returns when done. */
  private void paced(Vertx on, int total, IntConsumer send) throws Exception {
    Promise<Void> done = Promise.promise();
    long start = System.nanoTime();
    int[] sent = {0};
    on.runOnContext(v -> on.setPeriodic(1, id -> {
      long due = Math.min(total, (System.nanoTime() - start) * settings.rate() / 1_000_000_000L + 1);
      while (sent[0] < due) {
        send.accept(sent[0]++);
      }
      if (sent[0] >= total) {
        on.cancelTimer(id);
        done.complete();
      }
    }));
    done.future().await(settings.seconds() + 60L, TimeUnit.SECONDS);
  }

  private static void awaitCount(AtomicInteger count, int target, int seconds) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (count.get() < target && System.nanoTime() < until) {
      Thread.sleep(10);
    }
  }

  /** The integer {@code data} of a {@code message} frame (its last field). */
  private static int data(String frame) {
    int at = frame.lastIndexOf("\"data\":") + 7;
    int end = at;
    while (end < frame.length() && Character.isDigit(frame.charAt(end))) {
      end++;
    }
    return Integer.parseInt(frame, at, end, 10);
  }
}
