package dev.switchboard.bench;

import dev.switchboard.model.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Many SSE subscribers of one server (a coordinator, or nginx + nchan: the same code reads both). Each
 * parses its stream and records when it received each numbered change of the probe record (an
 * {@code upsert} event whose JSON data carries the change number as {@code connections}). All connect from 127.0.0.1: Vert.x 5.1.5's HttpClient ignores
 * {@code HttpClientOptions.setLocalAddress} (checked: the server sees 127.0.0.1), so spreading over
 * 127.0.0.x would need socket-level binding; one address's ~28,000 ephemeral ports cover every size
 * this machine's 20,000-descriptor limit allows.
 */
final class SubscriberFleet {

  private static final int MAX_CONNECTIONS = 60_000;
  private static final int BATCH = 500;

  private final Vertx vertx;
  private final String host;
  private final int port;
  private final String path;
  private final String probeId;
  private final List<HttpClient> clients = new ArrayList<>();
  private final AtomicInteger connected = new AtomicInteger();
  private AtomicLongArray sentAt;
  private long[][] latency;
  private AtomicInteger[] received;

  /** Subscribers of a coordinator's {@code /v1/backends/stream}. */
  SubscriberFleet(Vertx vertx, String host, int port, String probeId) {
    this(vertx, host, port, "/v1/backends/stream", probeId);
  }

  /** @param path the SSE stream's path and query */
  SubscriberFleet(Vertx vertx, String host, int port, String path, String probeId) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.path = path;
    this.probeId = probeId;
  }

  /** Prepares to record {@code changes} numbered changes for {@code subscribers} streams. */
  void expect(int changes, int subscribers) {
    sentAt = new AtomicLongArray(changes);
    latency = new long[changes][subscribers];
    received = new AtomicInteger[changes];
    for (int i = 0; i < changes; i++) {
      received[i] = new AtomicInteger();
    }
  }

  /** Opens streams until {@code total} are open, in batches, each batch awaited. */
  Future<Void> connectTo(int total, Runnable progress) {
    Future<Void> chain = Future.succeededFuture();
    int start = connected.get();
    for (int from = start; from < total; from += BATCH) {
      int to = Math.min(total, from + BATCH);
      int first = from;
      chain = chain.compose(v -> {
        List<Future<Void>> batch = new ArrayList<>();
        for (int i = first; i < to; i++) {
          batch.add(open(clientFor(i)));
        }
        return Future.all(batch).<Void>mapEmpty().onSuccess(x -> progress.run());
      });
    }
    return chain;
  }

  int connected() {
    return connected.get();
  }

  void sent(int change, long nanos) {
    sentAt.set(change, nanos);
  }

  int received(int change) {
    return received[change].get();
  }

  long[] latencies(int change) {
    return latency[change];
  }

  Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>();
    clients.forEach(c -> closing.add(c.close()));
    return Future.all(closing).mapEmpty();
  }

  private HttpClient clientFor(int index) {
    if (clients.isEmpty()) {
      clients.add(vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(0),
          new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS)));
    }
    return clients.get(0);
  }

  private Future<Void> open(HttpClient client) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(host).setPort(port)
        .setURI(path).putHeader("Accept", "text/event-stream"); // nchan serves EventSource only to this Accept
    return client.request(request).compose(req -> req.send()).map(resp -> {
      if (resp.statusCode() != 200) {
        throw new IllegalStateException("GET " + path + " answered " + resp.statusCode());
      }
      SseParser parser = new SseParser(event -> {
        if (!"upsert".equals(event.event()) || !event.data().contains(probeId)) {
          return;
        }
        long now = System.nanoTime();
        int change = new JsonObject(event.data()).getInteger("connections");
        if (latency != null && change < latency.length) {
          int slot = received[change].getAndIncrement();
          if (slot < latency[change].length) {
            latency[change][slot] = now - sentAt.get(change);
          }
        }
      });
      resp.handler(b -> parser.feed(b.getBytes()));
      connected.incrementAndGet();
      return null;
    });
  }
}
