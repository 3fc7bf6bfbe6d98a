package dev.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop echo: C connections each send one echo, wait for the answer, send the next. The same
 * load runs against a Switchboard backend and against a bare Vert.x echo server, in the same run.
 */
final class EchoBench {

  private final Vertx vertx;
  private final int connections;
  private final long warmupMs;
  private final long measureMs;

  EchoBench(Vertx vertx, int connections, long warmupMs, long measureMs) {
    this.vertx = vertx;
    this.connections = connections;
    this.warmupMs = warmupMs;
    this.measureMs = measureMs;
  }

  record Result(Stats rtt, double perSecond) {
  }

  /** Runs against {@code url}; {@code switchboard} frames are PROTOCOL echo messages, else plain text. */
  Result run(String url, boolean switchboard) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(connections * 2));
    int capacity = 2_000_000;
    long[] samples = new long[capacity];
    AtomicInteger count = new AtomicInteger();
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Future<WebSocket>> sockets = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      sockets.add(client.connect(new WebSocketConnectOptions().setAbsoluteURI(url)));
    }
    Future.all(sockets).await(60, TimeUnit.SECONDS);
    for (Future<WebSocket> f : sockets) {
      WebSocket ws = f.result();
      long[] sentAt = new long[1];
      int[] n = new int[1];
      Runnable send = () -> {
        sentAt[0] = System.nanoTime();
        ws.writeTextMessage(switchboard ? "{\"type\":\"echo\",\"id\":" + (n[0]++) + ",\"data\":\"x\"}" : "{\"data\":\"x\"}");
      };
      ws.textMessageHandler(text -> {
        if (switchboard && !text.startsWith("{\"type\":\"echo\"")) {
          return; // welcome
        }
        long rtt = System.nanoTime() - sentAt[0];
        if (measuring.get()) {
          int k = count.getAndIncrement();
          if (k < capacity) {
            samples[k] = rtt;
          }
        }
        if (running.get()) {
          send.run();
        }
      });
      send.run();
    }
    Thread.sleep(warmupMs);
    measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep(measureMs);
    measuring.set(false);
    long elapsed = System.nanoTime() - start;
    running.set(false);
    int n = Math.min(count.get(), capacity);
    client.close().await(30, TimeUnit.SECONDS);
    return new Result(Stats.of(samples, n), n / (elapsed / 1e9));
  }

  static String row(String what, Result r, Result floor) {
    return String.format(Locale.ROOT, "| %s | %.3f | %.3f | %,.0f | %.2f× | %.2f× |%n", what, r.rtt().p50(), r.rtt().p99(),
        r.perSecond(), r.rtt().p99() / floor.rtt().p99(), r.perSecond() / floor.perSecond());
  }
}
