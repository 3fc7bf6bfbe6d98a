package dev.switchboard.client;

import dev.switchboard.client.policy.Policy;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Follows the backend list ({@code GET /v1/backends/stream}) of one coordinator at a time: applies the
 * snapshot and the deltas to a local map. When the stream fails or ends it moves to the next
 * coordinator of the list and resumes with {@code Last-Event-ID} (a coordinator that does not know the
 * id answers with a snapshot), keeping the last known list meanwhile. The first coordinator is chosen
 * by the caller (see {@link #startIndex}); retries are quick while untried coordinators remain, then
 * back off with full jitter. Malformed events are logged and skipped, never thrown to the handler.
 * Use from the Vert.x context it was created on.
 */
public final class BackendListStream {

  private static final Logger log = LoggerFactory.getLogger(BackendListStream.class);

  /** Fewer than this many ms between reports of one backend are dropped: reports stay bounded. */
  static final long REPORT_INTERVAL_MS = 10_000;

  private final Vertx vertx;
  private final List<String> coordinators;
  private final String query;
  private final HttpClient client;
  private final Map<String, Long> reportedAt = new HashMap<>();
  private int index;
  private int failures;
  private boolean streaming;
  private final Map<String, BackendRecord> backends = new LinkedHashMap<>();
  private Consumer<ListEvent> handler = e -> { };
  private String lastEventId;
  private long retryMs = 1000;
  private boolean closed;
  private Promise<Void> firstSnapshot;

  /** @param coordinatorUrl base URL such as {@code http://127.0.0.1:8080}; {@code service} may be null (all) */
  public BackendListStream(Vertx vertx, String coordinatorUrl, String service) {
    this(vertx, List.of(coordinatorUrl), service, 0);
  }

  /**
   * @param coordinators base URLs, tried in turn from {@code first} (an index, taken modulo the size)
   * @param service the backend pool, or null for all
   */
  public BackendListStream(Vertx vertx, List<String> coordinators, String service, int first) {
    this(vertx, coordinators, service, first, new HttpClientOptions());
  }

  /** As above, with the HTTP client's options (TLS trust, for {@code https://} coordinators). */
  public BackendListStream(Vertx vertx, List<String> coordinators, String service, int first, HttpClientOptions http) {
    this(vertx, coordinators, service, first, http, SwitchboardClientOptions.DEFAULT_LIST_IDLE_TIMEOUT_MS);
  }

  /**
   * As above; {@code idleTimeoutMs} is the silence after which the stream gives up on its coordinator and
   * moves to the next (three missed keep-alives by default).
   */
  public BackendListStream(Vertx vertx, List<String> coordinators, String service, int first, HttpClientOptions http,
      long idleTimeoutMs) {
    if (coordinators.isEmpty()) {
      throw new IllegalArgumentException("at least one coordinator URL is needed");
    }
    this.vertx = vertx;
    this.coordinators = coordinators.stream().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u).toList();
    this.query = service == null ? "" : "?service=" + URLEncoder.encode(service, StandardCharsets.UTF_8);
    this.index = Math.floorMod(first, coordinators.size());
    this.client = vertx.createHttpClient(new HttpClientOptions(http)
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeoutMs)).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        // a coordinator cut off by the network never refuses a connection: the attempt waits out this bound
        .setConnectTimeout((int) Math.min(HttpClientOptions.DEFAULT_CONNECT_TIMEOUT, idleTimeoutMs)));
  }

  /**
   * The coordinator a client starts with: rendezvous hashing of {@code key} over the URLs when one is
   * given (so a sticky client keeps its coordinator), otherwise a random one (spreads subscribers).
   */
  public static int startIndex(List<String> coordinators, String key, DoubleSupplier random) {
    if (key == null) {
      return (int) Math.floor(random.getAsDouble() * coordinators.size());
    }
    int best = 0;
    for (int i = 1; i < coordinators.size(); i++) {
      if (Policy.rendezvousHash(key, coordinators.get(i)) > Policy.rendezvousHash(key, coordinators.get(best))) {
        best = i;
      }
    }
    return best;
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

  /** The base URL of the coordinator followed now (or tried next). */
  public String coordinator() {
    return coordinators.get(index);
  }

  /** True while a stream is open and delivering. */
  public boolean streaming() {
    return streaming;
  }

  /**
   * Tells the coordinator that {@code backendId} could not be reached (outlier detection, protocol
   * extension). At most one report per backend per {@value #REPORT_INTERVAL_MS} ms; best effort.
   */
  public void report(String backendId, String reason) {
    long now = System.currentTimeMillis();
    Long last = reportedAt.get(backendId);
    if (last != null && now - last < REPORT_INTERVAL_MS) {
      return;
    }
    reportedAt.keySet().retainAll(backends.keySet());
    reportedAt.put(backendId, now);
    String url = coordinator() + "/v1/backends/" + URLEncoder.encode(backendId, StandardCharsets.UTF_8) + "/reports";
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(new JsonObject().put("reason", reason).encode()))
        .compose(HttpClientResponse::body)
        .onFailure(e -> log.debug("report of {} to {} failed: {}", backendId, url, e.toString()));
  }

  public Future<Void> close() {
    closed = true;
    return client.close();
  }

  private void connect() {
    if (closed) {
      return;
    }
    String streamUrl = coordinator() + "/v1/backends/stream" + query;
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
    String streamUrl = coordinator();
    if (response.statusCode() != 200) {
      return response.body().transform(ar ->
          Future.failedFuture("coordinator answered " + response.statusCode() + " to " + streamUrl));
    }
    streaming = true;
    SseParser parser = new SseParser(this::onEvent, retry -> retryMs = retry, SseParser.DEFAULT_MAX_EVENT_CHARS);
    response.handler(buffer -> {
      try {
        parser.feed(buffer.getBytes());
      } catch (IllegalStateException e) {
        log.warn("dropping stream {}: {}", streamUrl, e.getMessage());
        response.request().connection().close();
      }
    });
    AtomicBoolean ended = new AtomicBoolean();
    response.exceptionHandler(e -> {
      log.debug("stream {} broke: {}", streamUrl, e.toString());
      if (ended.compareAndSet(false, true)) {
        reconnectLater();
      }
    });
    response.endHandler(v -> {
      if (ended.compareAndSet(false, true)) {
        reconnectLater();
      }
    });
    return Future.succeededFuture();
  }

  /** Moves to the next coordinator: at once-ish while untried ones remain, then with backoff. */
  private void reconnectLater() {
    streaming = false;
    if (closed) {
      return;
    }
    index = (index + 1) % coordinators.size();
    int round = failures++ / coordinators.size();
    long delay = round == 0 && coordinators.size() > 1
        ? (long) (ThreadLocalRandom.current().nextDouble() * 100)
        : Math.max(retryMs / 2, Backoff.delayMs(round, retryMs, 30_000, ThreadLocalRandom.current()::nextDouble));
    vertx.setTimer(Math.max(1, delay), id -> connect());
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
    failures = 0;
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
