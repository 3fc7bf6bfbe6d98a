package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.InvalidRecordException;
import dev.switchboard.model.SseEvent;
import dev.switchboard.model.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Follows one coordinator's backend list ({@code GET /v1/backends/stream}): applies the snapshot and
 * the deltas to a local map and reconnects with {@code Last-Event-ID} when the stream drops, keeping
 * the last known list meanwhile. Malformed events are logged and skipped, never thrown to the handler.
 * Use from the Vert.x context it was created on.
 */
public final class BackendListStream {

  private static final Logger log = LoggerFactory.getLogger(BackendListStream.class);
  /** Connection idle bound: three missed 15 s keep-alives mean the coordinator is gone. */
  private static final int IDLE_TIMEOUT_SECONDS = 45;

  private final Vertx vertx;
  private final String streamUrl;
  private final HttpClient client;
  private final Map<String, BackendRecord> backends = new LinkedHashMap<>();
  private Consumer<ListEvent> handler = e -> { };
  private String lastEventId;
  private long retryMs = 1000;
  private boolean closed;
  private Promise<Void> firstSnapshot;

  /** @param coordinatorUrl base URL such as {@code http://127.0.0.1:8080}; {@code service} may be null (all) */
  public BackendListStream(Vertx vertx, String coordinatorUrl, String service) {
    this.vertx = vertx;
    String base = coordinatorUrl.endsWith("/") ? coordinatorUrl.substring(0, coordinatorUrl.length() - 1) : coordinatorUrl;
    this.streamUrl = base + "/v1/backends/stream"
        + (service == null ? "" : "?service=" + URLEncoder.encode(service, StandardCharsets.UTF_8));
    this.client = vertx.createHttpClient(new HttpClientOptions().setIdleTimeout(IDLE_TIMEOUT_SECONDS));
  }

  /** Called on every change, after the local list is updated. */
  public BackendListStream handler(Consumer<ListEvent> handler) {
    this.handler = handler;
    return this;
  }

  /** Connects; completes once the first list has arrived. */
  public Future<Void> open() {
    firstSnapshot = Promise.promise();
    connect();
    return firstSnapshot.future();
  }

  /** The list as last known, by id. */
  public Map<String, BackendRecord> backends() {
    return Collections.unmodifiableMap(backends);
  }

  /** The id of the last event applied; sent as {@code Last-Event-ID} on reconnect. */
  public String lastEventId() {
    return lastEventId;
  }

  public Future<Void> close() {
    closed = true;
    return client.close();
  }

  private void connect() {
    if (closed) {
      return;
    }
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(streamUrl)
        .putHeader("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.putHeader("Last-Event-ID", lastEventId);
    }
    client.request(request)
        .compose(req -> req.send())
        .compose(this::follow)
        .onFailure(e -> {
          log.debug("stream {} failed: {}", streamUrl, e.toString());
          reconnectLater();
        });
  }

  private Future<Void> follow(HttpClientResponse response) {
    if (response.statusCode() != 200) {
      return response.body().transform(ar ->
          Future.failedFuture("coordinator answered " + response.statusCode() + " to " + streamUrl));
    }
    SseParser parser = new SseParser(this::onEvent, retry -> retryMs = retry, SseParser.DEFAULT_MAX_EVENT_CHARS);
    response.handler(buffer -> {
      try {
        parser.feed(buffer.getBytes());
      } catch (IllegalStateException e) {
        log.warn("dropping stream {}: {}", streamUrl, e.getMessage());
        response.request().connection().close();
      }
    });
    response.exceptionHandler(e -> log.debug("stream {} broke: {}", streamUrl, e.toString()));
    response.endHandler(v -> reconnectLater());
    return Future.succeededFuture();
  }

  private void reconnectLater() {
    if (!closed) {
      vertx.setTimer(Math.max(1, retryMs), id -> connect());
    }
  }

  private void onEvent(SseEvent event) {
    ListEvent change;
    try {
      change = decode(event);
    } catch (InvalidRecordException | DecodeException | ClassCastException | NullPointerException e) {
      log.warn("ignoring malformed '{}' event: {}", event.event(), e.getMessage());
      return;
    }
    if (change == null) {
      log.debug("ignoring unknown event type '{}'", event.event());
      return;
    }
    apply(change);
    lastEventId = event.id();
    if (firstSnapshot != null && !firstSnapshot.future().isComplete()) {
      firstSnapshot.complete();
    }
    handler.accept(change);
  }

  private void apply(ListEvent change) {
    if (change instanceof ListEvent.Snapshot snapshot) {
      backends.clear();
      snapshot.backends().forEach(b -> backends.put(b.id(), b));
    } else if (change instanceof ListEvent.Upsert upsert) {
      backends.put(upsert.backend().id(), upsert.backend());
    } else if (change instanceof ListEvent.Remove remove) {
      backends.remove(remove.id());
    }
  }

  /** Parses one SSE event; null for an event type this client does not know. */
  static ListEvent decode(SseEvent event) {
    switch (event.event()) {
      case "snapshot": {
        JsonArray array = new JsonObject(event.data()).getJsonArray("backends");
        List<BackendRecord> list = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
          try {
            list.add(BackendRecord.fromJson(array.getJsonObject(i)));
          } catch (InvalidRecordException | ClassCastException e) {
            log.warn("ignoring invalid backend in snapshot: {}", e.getMessage());
          }
        }
        return new ListEvent.Snapshot(event.id(), List.copyOf(list));
      }
      case "upsert":
        return new ListEvent.Upsert(event.id(), BackendRecord.fromJson(new JsonObject(event.data())));
      case "remove": {
        JsonObject json = new JsonObject(event.data());
        String id = json.getString("id");
        if (id == null) {
          throw new DecodeException("remove event without id");
        }
        return new ListEvent.Remove(event.id(), id, json.getString("reason", "unknown"));
      }
      default:
        return null;
    }
  }
}
