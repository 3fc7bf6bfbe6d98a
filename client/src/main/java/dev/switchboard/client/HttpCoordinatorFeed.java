package dev.switchboard.client;

import dev.switchboard.model.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CoordinatorFeed} over a Vert.x HTTP client and Vert.x timers. */
final class HttpCoordinatorFeed implements CoordinatorFeed {

  private static final Logger log = LoggerFactory.getLogger(HttpCoordinatorFeed.class);
  /** Backstop only: the stream's own silence watchdog acts long before this. */
  private static final int IDLE_TIMEOUT_SECONDS = 120;

  private final Vertx vertx;
  private final HttpClient client;

  HttpCoordinatorFeed(Vertx vertx, long connectTimeoutMs, HttpClientOptions http) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient(new HttpClientOptions(http)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, connectTimeoutMs))
        .setIdleTimeout(IDLE_TIMEOUT_SECONDS));
  }

  @Override
  public Stream open(String url, String lastEventId, Sink sink) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url)
        .putHeader("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.putHeader("Last-Event-ID", lastEventId);
    }
    HttpStream stream = new HttpStream(sink);
    client.request(request)
        .compose(req -> {
          stream.attach(req.connection());
          return req.send();
        })
        .compose(response -> stream.follow(url, response))
        .onComplete(stream.opened);
    return stream;
  }

  @Override
  public void post(String url, String json) {
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(json))
        .compose(HttpClientResponse::body)
        .onFailure(e -> log.debug("POST {} failed: {}", url, e.toString()));
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }

  @Override
  public long nowMs() {
    return System.nanoTime() / 1_000_000;
  }

  @Override
  public long setTimer(long delayMs, Runnable task) {
    return vertx.setTimer(Math.max(1, delayMs), id -> task.run());
  }

  @Override
  public void cancelTimer(long id) {
    vertx.cancelTimer(id);
  }

  private static final class HttpStream implements Stream {

    private final Sink sink;
    private final Promise<Void> opened = Promise.promise();
    private HttpConnection connection;
    private boolean closed;
    private boolean ended;

    HttpStream(Sink sink) {
      this.sink = sink;
    }

    void attach(HttpConnection connection) {
      this.connection = connection;
      if (closed) {
        connection.close();
      }
    }

    Future<Void> follow(String url, HttpClientResponse response) {
      if (closed) {
        return Future.failedFuture("closed before " + url + " answered");
      }
      if (response.statusCode() != 200) {
        return response.body().transform(ar ->
            Future.failedFuture("coordinator answered " + response.statusCode() + " to " + url));
      }
      SseParser parser = new SseParser(e -> {
        if (!closed) {
          sink.event(e);
        }
      }, retry -> {
        if (!closed) {
          sink.retry(retry);
        }
      }, SseParser.DEFAULT_MAX_EVENT_CHARS);
      response.handler(buffer -> {
        try {
          parser.feed(buffer.getBytes());
        } catch (IllegalStateException e) {
          end("dropped: " + e.getMessage());
          close();
        }
      });
      response.exceptionHandler(e -> end("broke: " + e));
      response.endHandler(v -> end("ended"));
      return Future.succeededFuture();
    }

    private void end(String why) {
      if (!ended && !closed) {
        ended = true;
        sink.ended(why);
      }
    }

    @Override
    public Future<Void> opened() {
      return opened.future();
    }

    @Override
    public void close() {
      closed = true;
      if (connection != null) {
        connection.close();
      }
    }
  }
}
