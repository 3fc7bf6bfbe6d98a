package dev.switchboard.client.impl;

import dev.switchboard.client.BackendListStream;
import dev.switchboard.client.ListEvent;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Future;

import java.util.Map;
import java.util.function.Consumer;

/** A {@link ListFeed} over a {@link BackendListStream}. */
public final class StreamListFeed implements ListFeed {

  private final BackendListStream stream;

  public StreamListFeed(BackendListStream stream) {
    this.stream = stream;
  }

  @Override
  public void handler(Consumer<ListEvent> handler) {
    stream.handler(handler);
  }

  @Override
  public Future<Void> open() {
    return stream.open();
  }

  @Override
  public Future<Void> close() {
    return stream.close();
  }

  @Override
  public Map<String, BackendRecord> backends() {
    return stream.backends();
  }

  @Override
  public void report(String backendId, String reason) {
    stream.report(backendId, reason);
  }

  @Override
  public String coordinator() {
    return stream.coordinator();
  }
}
