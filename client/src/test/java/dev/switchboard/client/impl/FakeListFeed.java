package dev.switchboard.client.impl;

import dev.switchboard.client.ListEvent;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** A {@link ListFeed} the test changes by hand; it records the client's reports. */
final class FakeListFeed implements ListFeed {

  private final Map<String, BackendRecord> backends = new LinkedHashMap<>();
  private Consumer<ListEvent> handler = e -> { };
  final List<String> reports = new ArrayList<>();
  private int eventId;

  static BackendRecord backend(String id, int connections) {
    return new BackendRecord(id, "chat", url(id), "node-" + id, "local", BackendState.UP, connections, 100, 100, 1);
  }

  static String url(String id) {
    return "ws://" + id + ".test:1/ws";
  }

  @Override
  public void handler(Consumer<ListEvent> handler) {
    this.handler = handler;
  }

  @Override
  public Future<Void> open() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  @Override
  public Map<String, BackendRecord> backends() {
    return backends;
  }

  @Override
  public void report(String backendId, String reason) {
    reports.add(backendId + ":" + reason);
  }

  @Override
  public String coordinator() {
    return "http://coordinator.test:1";
  }

  void snapshot(BackendRecord... records) {
    backends.clear();
    for (BackendRecord b : records) {
      backends.put(b.id(), b);
    }
    handler.accept(new ListEvent.Snapshot("e-" + ++eventId, List.of(records)));
  }

  void upsert(BackendRecord b) {
    backends.put(b.id(), b);
    handler.accept(new ListEvent.Upsert("e-" + ++eventId, b));
  }

  void remove(String id, String reason) {
    backends.remove(id);
    handler.accept(new ListEvent.Remove("e-" + ++eventId, id, reason));
  }
}
