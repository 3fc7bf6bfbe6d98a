package dev.switchboard.client;

import dev.switchboard.model.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/** A {@link CoordinatorFeed} driven by the test: requests are recorded, time moves only on {@link #advance}. */
final class FakeCoordinatorFeed implements CoordinatorFeed {

  /** One recorded request; the test answers it, feeds it events or ends it. */
  static final class Request implements Stream {
    final String url;
    final String lastEventId;
    final Sink sink;
    final Promise<Void> opened = Promise.promise();
    boolean closed;

    Request(String url, String lastEventId, Sink sink) {
      this.url = url;
      this.lastEventId = lastEventId;
      this.sink = sink;
    }

    Request answer() {
      opened.complete();
      return this;
    }

    Request event(String id, String type, String data) {
      sink.event(new SseEvent(id, type, data));
      return this;
    }

    Request ping(long keepAliveMs) {
      return event(null, "ping", "{\"keepAliveMs\":" + keepAliveMs + "}");
    }

    Request snapshot(String id) {
      return event(id, "snapshot", "{\"backends\":[]}");
    }

    @Override
    public Future<Void> opened() {
      return opened.future();
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private record Timer(long id, long due, Runnable task) {
  }

  final List<Request> requests = new ArrayList<>();
  final List<String> posts = new ArrayList<>();
  private final PriorityQueue<Timer> timers =
      new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.id, b.id));
  private long now;
  private long nextId;

  @Override
  public Stream open(String url, String lastEventId, Sink sink) {
    Request request = new Request(url, lastEventId, sink);
    requests.add(request);
    return request;
  }

  @Override
  public void post(String url, String json) {
    posts.add(url + " " + json);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  @Override
  public long nowMs() {
    return now;
  }

  @Override
  public long setTimer(long delayMs, Runnable task) {
    long id = nextId++;
    timers.add(new Timer(id, now + delayMs, task));
    return id;
  }

  @Override
  public void cancelTimer(long id) {
    timers.removeIf(t -> t.id == id);
  }

  /** Moves the clock by {@code ms}, running every timer that falls due, in order. */
  void advance(long ms) {
    long end = now + ms;
    while (!timers.isEmpty() && timers.peek().due <= end) {
      Timer t = timers.poll();
      now = Math.max(now, t.due);
      t.task.run();
    }
    now = end;
  }

  Request last() {
    return requests.get(requests.size() - 1);
  }
}
