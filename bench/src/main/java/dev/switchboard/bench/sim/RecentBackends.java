package dev.switchboard.bench.sim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Per simulated client, the backends it recently failed to reach, or lost, and when: the client's
 * {@code failedAt} and {@code lostAt} (BackendChooser), kept small and pruned as the real ones are.
 */
final class RecentBackends {

  private final Map<Integer, Entries> byClient = new HashMap<>();

  /** Client {@code c}'s entries, dropping those older than {@code olderThanUs} or no longer listed; null when none is left. */
  Entries of(int c, long olderThanUs, Simulation sim) {
    Entries r = byClient.get(c);
    if (r == null) {
      return null;
    }
    r.prune(olderThanUs, sim);
    if (r.size == 0) {
      byClient.remove(c);
      return null;
    }
    return r;
  }

  /** Whether client {@code c} holds an entry for backend {@code b} (not pruned first). */
  boolean has(int c, int b) {
    Entries r = byClient.get(c);
    return r != null && r.has(b);
  }

  void put(int c, int b, int timeUs) {
    byClient.computeIfAbsent(c, k -> new Entries()).put(b, timeUs);
  }

  /** Backend index → when, for one client; a few entries at most. */
  static final class Entries {
    private int[] backends = new int[2];
    private int[] times = new int[2];
    private int size;

    boolean has(int b) {
      for (int i = 0; i < size; i++) {
        if (backends[i] == b) {
          return true;
        }
      }
      return false;
    }

    void put(int b, int timeUs) {
      for (int i = 0; i < size; i++) {
        if (backends[i] == b) {
          times[i] = timeUs;
          return;
        }
      }
      if (size == backends.length) {
        backends = Arrays.copyOf(backends, size * 2);
        times = Arrays.copyOf(times, size * 2);
      }
      backends[size] = b;
      times[size++] = timeUs;
    }

    void prune(long olderThanUs, Simulation sim) {
      int kept = 0;
      for (int i = 0; i < size; i++) {
        if (times[i] >= olderThanUs && sim.listed(backends[i])) {
          backends[kept] = backends[i];
          times[kept++] = times[i];
        }
      }
      size = kept;
    }
  }
}
