package dev.switchboard.it;

import dev.switchboard.model.SseEvent;
import dev.switchboard.model.SseParser;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A raw SSE reader for tests: every event lands in a queue the test thread waits on. */
final class SseProbe implements AutoCloseable {

  private final HttpClient client;
  private final BlockingQueue<SseEvent> queue;
  private final HttpClientResponse response;

  private SseProbe(HttpClient client, BlockingQueue<SseEvent> queue, HttpClientResponse response) {
    this.client = client;
    this.queue = queue;
    this.response = response;
  }

  /** Opens {@code url}, with a {@code Last-Event-ID} header when {@code lastEventId} is not null. */
  static SseProbe open(Vertx vertx, String url, String lastEventId) throws Exception {
    HttpClient client = vertx.createHttpClient();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url);
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    BlockingQueue<SseEvent> queue = new LinkedBlockingQueue<>();
    HttpClientResponse response = client.request(options).compose(req -> req.send()).map(resp -> {
      SseParser parser = new SseParser(queue::add);
      resp.handler(b -> parser.feed(b.getBytes()));
      return resp;
    }).await(10, TimeUnit.SECONDS);
    return new SseProbe(client, queue, response);
  }

  int status() {
    return response.statusCode();
  }

  String header(String name) {
    return response.getHeader(name);
  }

  /** The next event, failing after {@code timeout}. */
  SseEvent next(Duration timeout) throws InterruptedException {
    SseEvent e = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (e == null) {
      throw new AssertionError("no SSE event within " + timeout);
    }
    return e;
  }

  /** Skips events until one matches; fails after {@code timeout}. */
  SseEvent awaitEvent(Predicate<SseEvent> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      SseEvent e = left <= 0 ? null : queue.poll(left, TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new AssertionError("no matching SSE event within " + timeout);
      }
      if (match.test(e)) {
        return e;
      }
    }
  }

  @Override
  public void close() {
    client.close();
  }
}
