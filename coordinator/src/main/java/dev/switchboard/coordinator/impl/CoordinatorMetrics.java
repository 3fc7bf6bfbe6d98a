package dev.switchboard.coordinator.impl;

import dev.switchboard.model.BackendState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.concurrent.TimeUnit;

/** The coordinator's Prometheus metrics, read from its live state at scrape time. */
final class CoordinatorMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter invalidRecords;
  private final Timer detectionExpired;
  private final Timer detectionNodeLeft;
  private final Timer fanOut;

  CoordinatorMetrics(BackendView view, SubscriberHub hub) {
    Gauge.builder("switchboard.subscribers", hub, SubscriberHub::size)
        .description("open SSE streams").register(registry);
    FunctionCounter.builder("switchboard.events.sent", hub, SubscriberHub::framesWritten)
        .description("change events written to subscribers").register(registry);
    FunctionCounter.builder("switchboard.subscribers.slow.disconnected", hub, SubscriberHub::slowDisconnects)
        .description("subscribers disconnected because they stopped reading").register(registry);
    Gauge.builder("switchboard.view.version", view, v -> v.seq())
        .description("number of changes applied to the view").register(registry);
    for (BackendState state : BackendState.values()) {
      Gauge.builder("switchboard.backends", view, v -> v.records().stream().filter(r -> r.state() == state).count())
          .tag("state", state.name()).description("backends in the view").register(registry);
    }
    invalidRecords = Counter.builder("switchboard.records.invalid")
        .description("registry entries rejected as invalid").register(registry);
    detectionExpired = detectionTimer("expired");
    detectionNodeLeft = detectionTimer("node-left");
    fanOut = Timer.builder("switchboard.fanout.latency")
        .description("time to write one change to every subscriber")
        .publishPercentileHistogram().register(registry);
  }

  private Timer detectionTimer(String reason) {
    return Timer.builder("switchboard.detection.latency")
        .description("from a node's last heartbeat to its backends leaving the list")
        .tag("reason", reason).publishPercentileHistogram().register(registry);
  }

  void invalidRecord() {
    invalidRecords.increment();
  }

  void detected(String reason, long silentNanos) {
    if (silentNanos >= 0) {
      ("expired".equals(reason) ? detectionExpired : detectionNodeLeft).record(silentNanos, TimeUnit.NANOSECONDS);
    }
  }

  void fannedOut(long nanos) {
    fanOut.record(nanos, TimeUnit.NANOSECONDS);
  }

  String scrape() {
    return registry.scrape();
  }
}
