package dev.switchboard.it;

import dev.switchboard.model.SseEvent;
import dev.switchboard.model.SseParser;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A raw SSE reader for tests: every event lands in a queue the test thread waits on, except the
 * coordinator's {@code ping} events (keep-alives, no list content), which are only counted.
 */
final class SseProbe implements AutoCloseable {

  private final HttpClient client;
  private final BlockingQueue<Arrival> queue;
  private final HttpClientResponse response;
  private volatile boolean ended;
  private final AtomicLong pings;

  /** An event and the {@link System#nanoTime()} at which it was parsed. */
  record Arrival(SseEvent event, long nanos) {
  }

  private SseProbe(HttpClient client, BlockingQueue<Arrival> queue, HttpClientResponse response, AtomicLong pings) {
    this.client = client;
    this.queue = queue;
    this.response = response;
    this.pings = pings;
  }

  /** How many {@code ping} events arrived so far. */
  long pings() {
    return pings.get();
  }

  /** Opens {@code url}, with a {@code Last-Event-ID} header when {@code lastEventId} is not null. */
  static SseProbe open(Vertx vertx, String url, String lastEventId) throws Exception {
    HttpClient client = vertx.createHttpClient();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url);
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    BlockingQueue<Arrival> queue = new LinkedBlockingQueue<>();
    AtomicLong pings = new AtomicLong();
    HttpClientResponse response = client.request(options).compose(req -> req.send()).map(resp -> {
      SseParser parser = new SseParser(e -> {
        if ("ping".equals(e.event())) {
          pings.incrementAndGet();
        } else {
          queue.add(new Arrival(e, System.nanoTime()));
        }
      });
      resp.handler(b -> parser.feed(b.getBytes()));
      return resp;
    }).await(10, TimeUnit.SECONDS);
    SseProbe probe = new SseProbe(client, queue, response, pings);
    response.endHandler(v -> probe.ended = true);
    response.exceptionHandler(e -> probe.ended = true);
    return probe;
  }

  /** Whether the stream is still open: it has neither ended nor failed. */
  boolean isOpen() {
    return !ended;
  }

  int status() {
    return response.statusCode();
  }

  String header(String name) {
    return response.getHeader(name);
  }

  /** The next event, failing after {@code timeout}. */
  SseEvent next(Duration timeout) throws InterruptedException {
    Arrival a = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (a == null) {
      throw new AssertionError("no SSE event within " + timeout);
    }
    return a.event();
  }

  /** Skips events until one matches; fails after {@code timeout}. */
  SseEvent awaitEvent(Predicate<SseEvent> match, Duration timeout) throws InterruptedException {
    return awaitArrival(match, timeout).event();
  }

  /** Like {@link #awaitEvent} but also tells when the event arrived. */
  Arrival awaitArrival(Predicate<SseEvent> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Arrival a = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
      if (a == null) {
        throw new AssertionError("no matching SSE event within " + timeout);
      }
      if (match.test(a.event())) {
        return a;
      }
    }
  }

  /** Every event that arrives within {@code period} (and any still unread), in order. */
  List<Arrival> collect(Duration period) throws InterruptedException {
    List<Arrival> all = new ArrayList<>();
    long deadline = System.nanoTime() + period.toNanos();
    for (long left = period.toNanos(); left > 0; left = deadline - System.nanoTime()) {
      Arrival a = queue.poll(left, TimeUnit.NANOSECONDS);
      if (a != null) {
        all.add(a);
      }
    }
    queue.drainTo(all);
    return all;
  }

  @Override
  public void close() {
    client.close();
  }
}
