package dev.switchboard.coordinator.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Clients' reports that a listed backend cannot be reached. A backend reported by {@code threshold}
 * distinct reporters (source addresses) within {@code windowNanos} is quarantined — hidden from the
 * list — for {@code quarantineNanos}, then restored. One reporter counts once however often it
 * reports, so one client cannot evict a backend alone. Memory is bounded: at most {@code maxReporters}
 * are kept per backend. Pure and clock-free; confined to one event loop.
 */
final class OutlierDetector {

  private final int threshold;
  private final long windowNanos;
  private final long quarantineNanos;
  private final int maxReporters;
  /** Backend id → reporter → time of its latest report. */
  private final Map<String, LinkedHashMap<String, Long>> reports = new HashMap<>();
  /** Backend id → end of its quarantine. */
  private final Map<String, Long> quarantined = new HashMap<>();

  OutlierDetector(int threshold, long windowNanos, long quarantineNanos, int maxReporters) {
    this.threshold = threshold;
    this.windowNanos = windowNanos;
    this.quarantineNanos = quarantineNanos;
    this.maxReporters = maxReporters;
  }

  /** Records a report; returns true when it puts the backend into quarantine. */
  boolean report(String backend, String reporter, long now) {
    if (quarantined.containsKey(backend)) {
      return false;
    }
    LinkedHashMap<String, Long> byReporter = reports.computeIfAbsent(backend, b -> new LinkedHashMap<>());
    byReporter.remove(reporter);
    byReporter.put(reporter, now);
    byReporter.values().removeIf(at -> now - at > windowNanos);
    while (byReporter.size() > maxReporters) {
      Iterator<String> oldest = byReporter.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    if (byReporter.size() >= threshold) {
      reports.remove(backend);
      quarantined.put(backend, now + quarantineNanos);
      return true;
    }
    return false;
  }

  /** Distinct reporters of a backend within the window. */
  int reporters(String backend, long now) {
    Map<String, Long> byReporter = reports.get(backend);
    return byReporter == null ? 0 : (int) byReporter.values().stream().filter(at -> now - at <= windowNanos).count();
  }

  boolean isQuarantined(String backend) {
    return quarantined.containsKey(backend);
  }

  /** Backends whose quarantine ended; they may be listed again. */
  List<String> release(long now) {
    List<String> released = new ArrayList<>();
    quarantined.entrySet().removeIf(e -> {
      if (now >= e.getValue()) {
        released.add(e.getKey());
        return true;
      }
      return false;
    });
    reports.values().forEach(m -> m.values().removeIf(at -> now - at > windowNanos));
    reports.values().removeIf(Map::isEmpty);
    return released;
  }

  /** Forgets a backend that left the registry. */
  void forget(String backend) {
    reports.remove(backend);
    quarantined.remove(backend);
  }
}
