package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * How a client picks a backend, by name. Each policy builds a {@link Selector} over one immutable
 * snapshot of the list (build it once per snapshot, reuse it for every pick). The candidates are the
 * backends a client may open a new connection to: {@linkplain BackendRecord#choosable() choosable}
 * (UP, not suspect) and not full ({@code connections < capacity}), in id order. The browser client
 * implements the same rules with the same floating-point operations (policies.js); the shared test
 * vectors prove it. docs/protocol.md, "Client selection policies", states the rules.
 */
public enum Policy {

  /**
   * Each allowed candidate in turn: a counter starting at a random offset walks to the next allowed
   * candidate and moves past it, so one selector's successive picks rotate.
   */
  ROUND_ROBIN("round-robin"),
  /** A random allowed candidate, with probability proportional to its weight. */
  RANDOM("random"),
  /**
   * Weighted-headroom sampling: an allowed candidate with probability proportional to its deficit
   * against its weighted fair share of the population after a burst as large as the current one
   * (capped by its free capacity); by weight when no allowed candidate has a deficit. A burst of
   * clients that all read the same stale list spreads like that deficit instead of herding onto the
   * backend that looked lightest.
   */
  LEAST_LOADED("least-loaded"),
  /**
   * Rendezvous hashing of the key ({@link #rendezvousHash}, highest wins) with bounded load:
   * a backend above 1.25 × the mean connections, and more than {@value #STICKY_MIN_EXCESS} above it, is
   * passed over for the key's next allowed one.
   */
  STICKY("sticky");

  /**
   * {@link #LEAST_LOADED}'s burst estimate adds this many connections per candidate: a lead smaller
   * than that is noise (a cold start reports a few connections per backend, a second apart), and
   * weighting by it would herd a burst onto the backends that happened to report least.
   */
  public static final int LEAST_LOADED_NOISE = 32;

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

  /**
   * A selector over one snapshot of the list; {@code random} gives values in [0, 1). Round-robin draws
   * once here; random and least-loaded draw once per pick that has an allowed candidate; sticky never.
   */
  public Selector selector(List<BackendRecord> backends, DoubleSupplier random) {
    List<BackendRecord> candidates = candidates(backends);
    return switch (this) {
      case ROUND_ROBIN -> new RoundRobinSelector(candidates, random.getAsDouble());
      case RANDOM -> ProportionalSelector.byWeight(candidates, random);
      case LEAST_LOADED -> ProportionalSelector.byHeadroom(candidates, random);
      case STICKY -> new StickySelector(candidates);
    };
  }

  /** The backends a new connection may go to: choosable (UP, not suspect) and not full, in id order. */
  static List<BackendRecord> candidates(List<BackendRecord> backends) {
    List<BackendRecord> candidates = new ArrayList<>();
    for (BackendRecord b : backends) {
      if (b.choosable() && b.connections() < b.capacity()) {
        candidates.add(b);
      }
    }
    candidates.sort(Comparator.comparing(BackendRecord::id));
    return List.copyOf(candidates);
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
