package dev.switchboard.client.impl;

import dev.switchboard.client.ListEvent;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Future;

import java.util.Map;
import java.util.function.Consumer;

/** The backend list the pool follows (a {@link dev.switchboard.client.BackendList}'s view in production). */
public interface ListFeed {

  /** Called on the client's context with every change, after {@link #backends()} reflects it. */
  void handler(Consumer<ListEvent> handler);

  Future<Void> open();

  Future<Void> close();

  /** The list as last known, by id. */
  Map<String, BackendRecord> backends();

  /** Tells the coordinator that {@code backendId} could not be reached. */
  void report(String backendId, String reason);

  /** The coordinator followed now. */
  String coordinator();
}
