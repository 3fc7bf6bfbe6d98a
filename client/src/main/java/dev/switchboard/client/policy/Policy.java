package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * How a client picks a backend, by name. Each policy builds a {@link Selector} over one immutable
 * snapshot of the list (rebuild it on every change); only {@code UP} backends are ever chosen, in id
 * order. The browser client implements the same rules (policies.js); the shared test vectors prove it.
 */
public enum Policy {

  /** Each UP backend in turn, starting at a random offset. */
  ROUND_ROBIN("round-robin"),
  /** A uniformly random UP backend. */
  RANDOM("random"),
  /** Power of two choices: the lower of two distinct random backends by connections / (capacity × weight). */
  LEAST_LOADED("least-loaded"),
  /**
   * Rendezvous hashing of the key ({@link #rendezvousHash}, highest wins) with bounded load:
   * a backend above 1.25 × the mean connections, and more than {@value #STICKY_MIN_EXCESS} above it, is
   * passed over for the key's next one.
   */
  STICKY("sticky");

  /** A backend above this × the mean load is passed over by {@link #STICKY}. */
  public static final double STICKY_LOAD_BOUND = 1.25;
  /**
   * ...and only when it holds more than this many connections above the mean: a lead of a few
   * connections is noise (loads are reported about once a second), and passing over a backend for it
   * at a cold start would send a whole burst of keys away from their backend.
   */
  public static final int STICKY_MIN_EXCESS = 10;

  private final String wire;

  Policy(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The policy with this name ({@code round-robin}, {@code random}, {@code least-loaded}, {@code sticky}). */
  public static Policy of(String name) {
    for (Policy p : values()) {
      if (p.wire.equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown policy '" + name + "': round-robin, random, least-loaded or sticky");
  }

  /** A selector over {@code backends}; {@code random} gives values in [0, 1). */
  public Selector selector(List<BackendRecord> backends, DoubleSupplier random) {
    List<BackendRecord> up = new ArrayList<>();
    for (BackendRecord b : backends) {
      if (b.state() == BackendState.UP) {
        up.add(b);
      }
    }
    up.sort(Comparator.comparing(BackendRecord::id));
    List<BackendRecord> candidates = List.copyOf(up);
    return switch (this) {
      case ROUND_ROBIN -> new Selector() {
        private int counter = (int) Math.floor(random.getAsDouble() * 2147483648.0);

        @Override
        public BackendRecord pick(String key) {
          if (candidates.isEmpty()) {
            return null;
          }
          BackendRecord chosen = candidates.get(counter % candidates.size());
          counter = (counter + 1) & Integer.MAX_VALUE;
          return chosen;
        }
      };
      case RANDOM -> key -> candidates.isEmpty() ? null
          : candidates.get((int) Math.floor(random.getAsDouble() * candidates.size()));
      case LEAST_LOADED -> key -> leastLoaded(candidates, random);
      case STICKY -> key -> sticky(candidates, key);
    };
  }

  private static BackendRecord leastLoaded(List<BackendRecord> candidates, DoubleSupplier random) {
    int n = candidates.size();
    if (n <= 1) {
      return n == 0 ? null : candidates.get(0);
    }
    int i = (int) Math.floor(random.getAsDouble() * n);
    int j = (int) Math.floor(random.getAsDouble() * (n - 1));
    if (j >= i) {
      j++;
    }
    BackendRecord a = candidates.get(i);
    BackendRecord b = candidates.get(j);
    return load(b) < load(a) ? b : a;
  }

  private static double load(BackendRecord r) {
    return (double) r.connections() / ((double) r.capacity() * r.weight());
  }

  private static BackendRecord sticky(List<BackendRecord> candidates, String key) {
    if (candidates.isEmpty()) {
      return null;
    }
    String k = key == null ? "" : key;
    List<BackendRecord> order = new ArrayList<>(candidates);
    order.sort(Comparator.comparingLong((BackendRecord b) -> -rendezvousHash(k, b.id())).thenComparing(BackendRecord::id));
    double mean = candidates.stream().mapToInt(BackendRecord::connections).average().orElse(0);
    for (BackendRecord b : order) {
      if (b.connections() <= STICKY_LOAD_BOUND * mean || b.connections() <= mean + STICKY_MIN_EXCESS) {
        return b;
      }
    }
    return order.get(0);
  }

  /**
   * The weight of {@code id} for {@code key} in rendezvous hashing: FNV-1a of {@code key + "\0" + id}
   * mixed by murmur3's fmix32 finalizer, unsigned. The finalizer matters: FNV-1a alone gives ids that
   * differ in their last character (a node's backends {@code n-0}, {@code n-1}) almost the same weight,
   * so a key's second choice would nearly always be its first choice's sibling.
   */
  public static long rendezvousHash(String key, String id) {
    int h = (int) fnv1a32(key + "\u0000" + id);
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h & 0xffffffffL;
  }

  /** FNV-1a over the UTF-8 bytes, as an unsigned 32-bit value. */
  public static long fnv1a32(String text) {
    int h = 0x811c9dc5;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x01000193;
    }
    return h & 0xffffffffL;
  }
}
