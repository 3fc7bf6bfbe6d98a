package dev.switchboard.coordinator.impl;

import dev.switchboard.model.BackendState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The coordinator's Prometheus metrics, read from its live state at scrape time. */
final class CoordinatorMetrics {

  /** The {@code state} label of a suspect backend in {@code switchboard_backends}, whatever its record's state. */
  static final String SUSPECT = "SUSPECT";
  /** The {@code reason} labels of {@code switchboard_detection_latency_seconds}. */
  static final String DETECTED_SUSPECT = "suspect";
  static final String DETECTED_EXPIRED = "expired";
  static final String DETECTED_NODE_LEFT = "node-left";
  /** The {@code kind} labels of {@code switchboard_cluster_messages_refused_total}. */
  static final String REFUSED_HEARTBEAT = "heartbeat";
  static final String REFUSED_REPORT = "report";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter invalidRecords;
  private final Map<String, Counter> refused;
  private final Map<String, Timer> detection;
  private final Timer fanOut;

  CoordinatorMetrics(BackendView view, FanOut shards) {
    Gauge.builder("switchboard.subscribers", shards, FanOut::subscribers)
        .description("open SSE streams").register(registry);
    FunctionCounter.builder("switchboard.events.sent", shards, FanOut::framesWritten)
        .description("writes of change events and keep-alives to subscribers (events of one loop turn go in one write)").register(registry);
    FunctionCounter.builder("switchboard.subscribers.slow.disconnected", shards, FanOut::slowDisconnects)
        .description("subscribers disconnected because they stopped reading").register(registry);
    Gauge.builder("switchboard.view.version", view, v -> v.seq())
        .description("number of changes applied to the view").register(registry);
    // the states are exclusive: a suspect backend counts as SUSPECT only, so the series add up to the list
    for (BackendState state : BackendState.values()) {
      Gauge.builder("switchboard.backends", view, v -> v.records().stream().filter(r -> !r.suspect() && r.state() == state).count())
          .tag("state", state.name()).description("backends in the view").register(registry);
    }
    Gauge.builder("switchboard.backends", view, v -> v.records().stream().filter(r -> r.suspect()).count())
        .tag("state", SUSPECT).description("backends in the view").register(registry);
    invalidRecords = Counter.builder("switchboard.records.invalid")
        .description("registry entries rejected as invalid").register(registry);
    refused = Stream.of(REFUSED_HEARTBEAT, REFUSED_REPORT).collect(Collectors.toUnmodifiableMap(Function.identity(),
        kind -> Counter.builder("switchboard.cluster.messages.refused").tag("kind", kind)
            .description("event-bus messages refused for a missing, wrong, stale or replayed signature").register(registry)));
    detection = Stream.of(DETECTED_SUSPECT, DETECTED_EXPIRED, DETECTED_NODE_LEFT)
        .collect(Collectors.toUnmodifiableMap(Function.identity(), this::detectionTimer));
    fanOut = Timer.builder("switchboard.fanout.latency")
        .description("time for one fan-out shard to write a batch of changes to its subscribers")
        .publishPercentileHistogram().register(registry);
  }

  private Timer detectionTimer(String reason) {
    return Timer.builder("switchboard.detection.latency")
        .description("from a node's last heartbeat to its backends being flagged suspect or leaving the list")
        .tag("reason", reason).publishPercentileHistogram().register(registry);
  }

  void invalidRecord() {
    invalidRecords.increment();
  }

  /** Counts an event-bus message of {@code kind} (one of the {@code REFUSED_*}) refused for its signature. */
  void refusedMessage(String kind) {
    refused.get(kind).increment();
  }

  /** Records how long a node had been silent when it was found {@code reason} (one of the {@code DETECTED_*}). */
  void detected(String reason, long silentNanos) {
    Timer timer = detection.get(reason);
    if (timer == null) {
      throw new IllegalArgumentException("no detection histogram for reason '" + reason + "'");
    }
    if (silentNanos >= 0) {
      timer.record(silentNanos, TimeUnit.NANOSECONDS);
    }
  }

  void fannedOut(long nanos) {
    fanOut.record(nanos, TimeUnit.NANOSECONDS);
  }

  String scrape() {
    return registry.scrape();
  }
}
