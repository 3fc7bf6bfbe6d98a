package dev.switchboard.client.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Application messages waiting for a writable connection: at most {@code capacity}; one more fails at
 * once. Single-threaded (the client's context).
 */
final class SendQueue {

  private record Queued(String text, Promise<Void> written) {
  }

  private final int capacity;
  private final ArrayDeque<Queued> queue = new ArrayDeque<>();

  SendQueue(int capacity) {
    this.capacity = capacity;
  }

  /** Writes {@code text} on {@code writable}'s pick at once when nothing waits, else queues it (bounded). */
  Future<Void> send(String text, Supplier<Connection> writable) {
    Connection c = queue.isEmpty() ? writable.get() : null;
    if (c != null) {
      return c.sendText(text);
    }
    if (queue.size() >= capacity) {
      return Future.failedFuture(new IllegalStateException("send queue full (" + queue.size() + " messages)"));
    }
    Queued q = new Queued(text, Promise.promise());
    queue.add(q);
    return q.written().future();
  }

  /** Writes what waits while {@code writable} has a connection whose write queue is not full. */
  void flush(Supplier<Connection> writable) {
    Connection c;
    while (!queue.isEmpty() && (c = writable.get()) != null) {
      Queued q = queue.poll();
      c.sendText(q.text()).onComplete(q.written());
    }
  }

  int size() {
    return queue.size();
  }

  void failAll(RuntimeException cause) {
    queue.forEach(q -> q.written().tryFail(cause));
    queue.clear();
  }
}
