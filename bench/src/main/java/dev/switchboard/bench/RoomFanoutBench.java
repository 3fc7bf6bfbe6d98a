package dev.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/** One publish → delivered to every member of a room, the members split over two backends. */
final class RoomFanoutBench {

  private final Vertx vertx;

  RoomFanoutBench(Vertx vertx) {
    this.vertx = vertx;
  }

  String run(String urlA, String urlB, int membersPerBackend, int messages) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(10_000));
    int members = membersPerBackend * 2;
    long[] latencies = new long[members * messages];
    AtomicInteger samples = new AtomicInteger();
    AtomicLongArray sentAt = new AtomicLongArray(messages);
    AtomicInteger[] received = new AtomicInteger[messages];
    for (int i = 0; i < messages; i++) {
      received[i] = new AtomicInteger();
    }
    AtomicInteger joined = new AtomicInteger();
    List<Future<WebSocket>> sockets = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      sockets.add(client.connect(new WebSocketConnectOptions().setAbsoluteURI(i % 2 == 0 ? urlA : urlB)).onSuccess(ws -> {
        ws.textMessageHandler(text -> {
          JsonObject m = new JsonObject(text);
          if ("welcome".equals(m.getString("type"))) {
            ws.writeTextMessage("{\"type\":\"join\",\"room\":\"bench\"}");
            joined.incrementAndGet();
          } else if ("message".equals(m.getString("type")) && m.getValue("data") instanceof Integer k && k >= 0) {
            long now = System.nanoTime();
            received[k].incrementAndGet();
            int slot = samples.getAndIncrement();
            if (slot < latencies.length) {
              latencies[slot] = now - sentAt.get(k);
            }
          }
        });
      }));
    }
    Future.all(sockets).await(60, TimeUnit.SECONDS);
    WebSocket publisher = client.connect(new WebSocketConnectOptions().setAbsoluteURI(urlA)).await(30, TimeUnit.SECONDS);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (joined.get() < members && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    Thread.sleep(1_500); // joins are fire-and-forget frames: let every backend open the room's feed
    int complete = 0;
    for (int k = 0; k < messages; k++) {
      sentAt.set(k, System.nanoTime());
      publisher.writeTextMessage("{\"type\":\"publish\",\"room\":\"bench\",\"id\":\"p-" + System.nanoTime() + "\",\"data\":" + k + "}");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (received[k].get() < members && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      complete += received[k].get() == members ? 1 : 0;
      Thread.sleep(20); // one message at a time; keeps under the publisher's rate limit
    }
    client.close().await(30, TimeUnit.SECONDS);
    Stats s = Stats.of(latencies, Math.min(samples.get(), latencies.length));
    System.out.printf("rooms: %d members on 2 backends → p50 %.2f ms, p99 %.2f ms%n", members, s.p50(), s.p99());
    return String.format(Locale.ROOT, "One `publish` from a client on backend A → `message` at each of %d room members, "
        + "half on backend A, half on backend B (separate JVMs); %d messages, one at a time. Latency from the "
        + "publish frame sent to each member's receipt (the message is stored in the room's ringbuffer first).%n%n"
        + "| members | messages fully delivered | samples | p50 ms | p99 ms | max ms |%n|---|---|---|---|---|---|%n"
        + "| %d | %d / %d | %,d | %.2f | %.2f | %.2f |%n", members, messages, members, complete, messages, s.count(),
        s.p50(), s.p99(), s.max());
  }
}
