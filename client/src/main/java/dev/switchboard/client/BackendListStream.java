package dev.switchboard.client;

import dev.switchboard.client.policy.Policy;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.InvalidRecordException;
import dev.switchboard.model.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * Follows the backend list ({@code GET /v1/backends/stream}) of one coordinator at a time: applies the
 * snapshot and the deltas to a local map. When the stream fails, ends, does not answer within the
 * connect timeout, or stays silent (no event, {@code ping} included, for {@code 2 × keepAliveMs}
 * ms, the period the coordinator announces in its pings; 15,000 until told) it moves to the next
 * coordinator of the list and resumes with {@code Last-Event-ID} (a coordinator that does not know the
 * id answers with a snapshot), keeping the last known list meanwhile. The first coordinator is chosen
 * by the caller (see {@link #startIndex}); retries are quick while untried coordinators remain, then
 * back off with full jitter; the count of failures starts again only after a stream stayed up
 * {@value #STABLE_MS} ms, so a coordinator that sends a snapshot and drops is not re-hit at once.
 * Malformed events are logged and skipped, never thrown to the handler. Use from the Vert.x context
 * it was created on, except {@link #backends()} and {@link #coordinator()}, readable from any thread.
 */
public final class BackendListStream {

  private static final Logger log = LoggerFactory.getLogger(BackendListStream.class);

  /** Fewer than this many ms between reports of one backend are dropped: reports stay bounded. */
  static final long REPORT_INTERVAL_MS = 10_000;
  /** How long a list request may take to be answered (connect and headers) before the next coordinator is tried. */
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
  /** The keep-alive period assumed until a coordinator's {@code ping} says otherwise. */
  static final long DEFAULT_KEEP_ALIVE_MS = 15_000;
  /** A stream up this long resets the failure count. */
  static final long STABLE_MS = 10_000;
  /** Announced keep-alive periods outside [100 ms, 10 min] are ignored as malformed. */
  private static final long MIN_KEEP_ALIVE_MS = 100;
  private static final long MAX_KEEP_ALIVE_MS = 600_000;

  private final CoordinatorFeed feed;
  private final List<String> coordinators;
  private final String query;
  private final long connectTimeoutMs;
  private final DoubleSupplier random;
  private final Map<String, Long> reportedAt = new HashMap<>();
  /** Replaced, never changed, on every change: readers on other threads see whole lists. */
  private volatile Map<String, BackendRecord> backends = Map.of();
  private volatile int index;
  private int failures;
  private Consumer<ListEvent> handler = e -> { };
  private String lastEventId;
  private long retryMs = 1000;
  private boolean closed;
  private Promise<Void> firstSnapshot;
  /** The attempt in progress; callbacks of earlier attempts are ignored. */
  private Attempt attempt;
  private long keepAliveMs = DEFAULT_KEEP_ALIVE_MS;

  /** @param coordinatorUrl base URL such as {@code http://127.0.0.1:8080}; {@code service} may be null (all) */
  public BackendListStream(Vertx vertx, String coordinatorUrl, String service) {
    this(vertx, List.of(coordinatorUrl), service, 0);
  }

  /**
   * @param coordinators base URLs, tried in turn from {@code first} (an index, taken modulo the size)
   * @param service the backend pool, or null for all
   */
  public BackendListStream(Vertx vertx, List<String> coordinators, String service, int first) {
    this(vertx, coordinators, service, first, DEFAULT_CONNECT_TIMEOUT_MS, new HttpClientOptions());
  }

  /**
   * @param connectTimeoutMs how long one coordinator may take to answer the list request
   * @param http the HTTP client's options (TLS trust, for {@code https://} coordinators)
   */
  public BackendListStream(Vertx vertx, List<String> coordinators, String service, int first, long connectTimeoutMs,
      HttpClientOptions http) {
    this(new HttpCoordinatorFeed(vertx, connectTimeoutMs, http), coordinators, service, first, connectTimeoutMs,
        () -> ThreadLocalRandom.current().nextDouble());
  }

  BackendListStream(CoordinatorFeed feed, List<String> coordinators, String service, int first, long connectTimeoutMs,
      DoubleSupplier random) {
    if (coordinators.isEmpty()) {
      throw new IllegalArgumentException("at least one coordinator URL is needed");
    }
    if (connectTimeoutMs <= 0) {
      throw new IllegalArgumentException("connectTimeoutMs must be > 0, got " + connectTimeoutMs);
    }
    this.feed = feed;
    this.coordinators = coordinators.stream().map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u).toList();
    this.query = service == null ? "" : "?service=" + URLEncoder.encode(service, StandardCharsets.UTF_8);
    this.index = Math.floorMod(first, coordinators.size());
    this.connectTimeoutMs = connectTimeoutMs;
    this.random = random;
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

  /** The list as last known, by id: an unmodifiable map that later changes leave as it is. */
  public Map<String, BackendRecord> backends() {
    return backends;
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
    return attempt != null && attempt.openedAt >= 0;
  }

  /** The keep-alive period the followed coordinator announced (15,000 until one did). */
  public long keepAliveMs() {
    return keepAliveMs;
  }

  /**
   * Tells the coordinator that {@code backendId} could not be reached (outlier detection, protocol
   * extension). At most one report per backend per {@value #REPORT_INTERVAL_MS} ms; best effort.
   */
  public void report(String backendId, String reason) {
    long now = feed.nowMs();
    Long last = reportedAt.get(backendId);
    if (last != null && now - last < REPORT_INTERVAL_MS) {
      return;
    }
    reportedAt.keySet().retainAll(backends.keySet());
    reportedAt.put(backendId, now);
    feed.post(coordinator() + "/v1/backends/" + URLEncoder.encode(backendId, StandardCharsets.UTF_8) + "/reports",
        new JsonObject().put("reason", reason).encode());
  }

  public Future<Void> close() {
    closed = true;
    if (attempt != null) {
      attempt.drop();
      attempt = null;
    }
    return feed.close();
  }

  private void connect() {
    if (closed) {
      return;
    }
    attempt = new Attempt(coordinator() + "/v1/backends/stream" + query);
    attempt.start();
  }

  /** Moves to the next coordinator: at once-ish while untried ones remain, then with backoff. */
  private void reconnectLater(Attempt failed, String why) {
    log.debug("stream {} {}", failed.url, why);
    failed.drop();
    attempt = null;
    if (closed) {
      return;
    }
    if (failed.openedAt >= 0 && feed.nowMs() - failed.openedAt >= STABLE_MS) {
      failures = 0;
    }
    index = (index + 1) % coordinators.size();
    int round = failures++ / coordinators.size();
    long delay = round == 0 && coordinators.size() > 1
        ? (long) (random.getAsDouble() * 100)
        : Math.max(retryMs / 2, Backoff.delayMs(round, retryMs, 30_000, random));
    feed.setTimer(Math.max(1, delay), this::connect);
  }

  /** No event for this long means the stream is dead. */
  long silenceLimitMs() {
    return 2 * keepAliveMs;
  }

  /**
   * One request to one coordinator, with its two deadlines: answered within the connect timeout,
   * then never silent past {@link #silenceLimitMs()}. The silence timer is re-armed only when it
   * fires, against the time of the last event, so a busy stream costs no timer per event.
   */
  private final class Attempt implements CoordinatorFeed.Sink {

    final String url;
    CoordinatorFeed.Stream stream;
    long openedAt = -1;
    long lastHeardAt;
    long timer;
    boolean dropped;

    Attempt(String url) {
      this.url = url;
    }

    void start() {
      stream = feed.open(url, lastEventId, this);
      this.timer = feed.setTimer(connectTimeoutMs, () -> {
        if (!dropped && openedAt < 0) {
          reconnectLater(this, "not answered within " + connectTimeoutMs + " ms");
        }
      });
      stream.opened().onComplete(ar -> {
        if (dropped) {
          return;
        }
        if (ar.failed()) {
          reconnectLater(this, "failed: " + ar.cause());
          return;
        }
        feed.cancelTimer(timer);
        openedAt = feed.nowMs();
        lastHeardAt = openedAt;
        armSilence();
      });
    }

    void armSilence() {
      feed.cancelTimer(timer);
      timer = feed.setTimer(Math.max(1, lastHeardAt + silenceLimitMs() - feed.nowMs()), () -> {
        if (dropped) {
          return;
        }
        if (feed.nowMs() - lastHeardAt >= silenceLimitMs()) {
          reconnectLater(this, "silent for " + (feed.nowMs() - lastHeardAt) + " ms");
        } else {
          armSilence();
        }
      });
    }

    void drop() {
      if (!dropped) {
        dropped = true;
        feed.cancelTimer(timer);
        if (stream != null) {
          stream.close();
        }
      }
    }

    @Override
    public void event(SseEvent event) {
      if (dropped) {
        return;
      }
      lastHeardAt = feed.nowMs();
      if ("ping".equals(event.event())) {
        onPing(this, event);
      } else {
        onEvent(event);
      }
    }

    @Override
    public void retry(long millis) {
      if (!dropped) {
        lastHeardAt = feed.nowMs();
        retryMs = millis;
      }
    }

    @Override
    public void ended(String why) {
      if (!dropped) {
        reconnectLater(this, why);
      }
    }
  }

  private void onPing(Attempt from, SseEvent event) {
    long announced;
    try {
      announced = new JsonObject(event.data()).getLong("keepAliveMs", keepAliveMs);
    } catch (DecodeException | ClassCastException e) {
      log.warn("ignoring malformed ping from {}: {}", from.url, e.getMessage());
      return;
    }
    if (announced < MIN_KEEP_ALIVE_MS || announced > MAX_KEEP_ALIVE_MS) {
      log.warn("ignoring ping from {} with keepAliveMs {} outside [{}, {}]", from.url, announced,
          MIN_KEEP_ALIVE_MS, MAX_KEEP_ALIVE_MS);
      return;
    }
    if (announced != keepAliveMs) {
      keepAliveMs = announced;
      from.armSilence(); // a shorter period must not wait for a timer set for the longer one
    }
  }

  private void onEvent(SseEvent event) {
    ListEvent change;
    try {
      change = ListEventDecoder.decode(event);
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
    Map<String, BackendRecord> next = new LinkedHashMap<>();
    if (change instanceof ListEvent.Snapshot snapshot) {
      snapshot.backends().forEach(b -> next.put(b.id(), b));
    } else {
      next.putAll(backends);
      if (change instanceof ListEvent.Upsert upsert) {
        next.put(upsert.backend().id(), upsert.backend());
      } else if (change instanceof ListEvent.Remove remove) {
        next.remove(remove.id());
      }
    }
    backends = Collections.unmodifiableMap(next);
  }
}
