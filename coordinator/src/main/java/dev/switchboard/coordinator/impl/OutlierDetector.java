package dev.switchboard.coordinator.impl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Clients' reports that a listed backend cannot be reached, and the decision they lead to. A backend
 * reported by {@code threshold} distinct reporters (source addresses) within {@code windowNanos} is
 * not taken at their word: the coordinator probes it itself ({@link Verdict#PROBE}), and only a failed
 * probe quarantines it — hides it from the list — for {@code quarantineNanos}. A probe that reaches the
 * backend clears its reports, and reports of it are ignored for {@code clearedNanos} after, so a few
 * addresses that keep reporting a healthy backend cost one probe per period and evict nothing. One
 * reporter counts once however often it reports. Memory is bounded: at most {@code maxReporters} are
 * kept per backend. Pure and clock-free; confined to one event loop.
 */
final class OutlierDetector {

  /** What a report leads to. */
  enum Verdict {
    /** Counted; the threshold is not reached. */
    COUNTED,
    /** The threshold is reached: probe the backend now, then call {@link #probed}. */
    PROBE,
    /** Not counted: the backend is being probed, is quarantined, or passed a probe moments ago. */
    IGNORED
  }

  private final int threshold;
  private final long windowNanos;
  private final long quarantineNanos;
  private final long clearedNanos;
  private final int maxReporters;
  /** Backend id → reporter → time of its latest report. */
  private final Map<String, LinkedHashMap<String, Long>> reports = new HashMap<>();
  /** Backends whose probe is under way. */
  private final Set<String> probing = new HashSet<>();
  /** Backend id → end of the period after a passed probe in which its reports are ignored. */
  private final Map<String, Long> cleared = new HashMap<>();
  /** Backend id → end of its quarantine. */
  private final Map<String, Long> quarantined = new HashMap<>();

  OutlierDetector(int threshold, long windowNanos, long quarantineNanos, long clearedNanos, int maxReporters) {
    this.threshold = threshold;
    this.windowNanos = windowNanos;
    this.quarantineNanos = quarantineNanos;
    this.clearedNanos = clearedNanos;
    this.maxReporters = maxReporters;
  }

  /** Records a report; {@link Verdict#PROBE} when it completes the threshold. */
  Verdict report(String backend, String reporter, long now) {
    Long clearedUntil = cleared.get(backend);
    if (clearedUntil != null && now - clearedUntil >= 0) {
      cleared.remove(backend);
      clearedUntil = null;
    }
    if (quarantined.containsKey(backend) || probing.contains(backend) || clearedUntil != null) {
      return Verdict.IGNORED;
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
      probing.add(backend);
      return Verdict.PROBE;
    }
    return Verdict.COUNTED;
  }

  /**
   * The outcome of the probe a {@link Verdict#PROBE} asked for; returns true when it puts the backend
   * into quarantine (the probe failed). An outcome for a backend forgotten meanwhile changes nothing.
   */
  boolean probed(String backend, boolean reachable, long now) {
    if (!probing.remove(backend)) {
      return false;
    }
    reports.remove(backend);
    if (reachable) {
      cleared.put(backend, now + clearedNanos);
      return false;
    }
    quarantined.put(backend, now + quarantineNanos);
    return true;
  }

  /** Distinct reporters of a backend within the window. */
  int reporters(String backend, long now) {
    Map<String, Long> byReporter = reports.get(backend);
    return byReporter == null ? 0 : (int) byReporter.values().stream().filter(at -> now - at <= windowNanos).count();
  }

  boolean isQuarantined(String backend) {
    return quarantined.containsKey(backend);
  }

  boolean isProbing(String backend) {
    return probing.contains(backend);
  }

  /** Backends whose quarantine ended; they may be listed again. */
  List<String> release(long now) {
    List<String> released = new ArrayList<>();
    quarantined.entrySet().removeIf(e -> {
      if (now - e.getValue() >= 0) {
        released.add(e.getKey());
        return true;
      }
      return false;
    });
    cleared.values().removeIf(until -> now - until >= 0);
    reports.values().forEach(m -> m.values().removeIf(at -> now - at > windowNanos));
    reports.values().removeIf(Map::isEmpty);
    return released;
  }

  /** Forgets a backend that left the registry. */
  void forget(String backend) {
    reports.remove(backend);
    probing.remove(backend);
    cleared.remove(backend);
    quarantined.remove(backend);
  }
}
