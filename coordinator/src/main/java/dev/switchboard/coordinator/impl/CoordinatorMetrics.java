package dev.switchboard.coordinator.impl;

import dev.switchboard.model.BackendState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The coordinator's Prometheus metrics, read from its live state at scrape time. */
final class CoordinatorMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter invalidRecords;

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
  }

  void invalidRecord() {
    invalidRecords.increment();
  }

  String scrape() {
    return registry.scrape();
  }
}
