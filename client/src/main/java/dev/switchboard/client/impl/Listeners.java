package dev.switchboard.client.impl;

import dev.switchboard.client.ClientState;
import dev.switchboard.client.Failover;
import dev.switchboard.client.Move;
import dev.switchboard.client.Rtt;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.function.Consumer;

/**
 * The application's handlers. Volatile: set from any thread, called on the client's context; one
 * that throws is logged, never propagated.
 */
public final class Listeners {

  private static final Logger log = LoggerFactory.getLogger(Listeners.class);

  public volatile Consumer<JsonObject> messages = m -> { };
  public volatile Consumer<Failover> failovers = f -> { };
  public volatile Consumer<Move> moves = m -> { };
  public volatile Consumer<ClientState> states = s -> { };
  public volatile Consumer<Collection<BackendRecord>> lists = l -> { };
  public volatile Consumer<BackendRecord> opens = b -> { };
  public volatile Consumer<BackendRecord> attempts = b -> { };
  public volatile Consumer<BackendRecord> closes = b -> { };
  public volatile Consumer<Rtt> rtts = r -> { };

  static <T> void emit(Consumer<T> handler, T value) {
    try {
      handler.accept(value);
    } catch (RuntimeException e) {
      log.warn("a handler threw; the client carries on", e);
    }
  }
}
