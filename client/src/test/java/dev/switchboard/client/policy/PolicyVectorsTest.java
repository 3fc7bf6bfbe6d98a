package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Java side of the shared test vectors (policy-vectors.json, also read by the browser client's
 * test in Chromium): this implementation must reproduce every expected pick. Regenerate the file
 * after an intended change with {@code -Dswitchboard.regenerateVectors=true}.
 */
class PolicyVectorsTest {

  static final Path VECTORS = Path.of("src/test/resources/policy-vectors.json");

  static BackendRecord backend(String id, int connections, int capacity, int weight, BackendState state) {
    return new BackendRecord(id, "chat", "ws://127.0.0.1:9000/ws", "n1", "local", state, connections, capacity, weight, 1L);
  }

  static List<JsonObject> cases() {
    List<BackendRecord> five = List.of(backend("b-0", 10, 100, 100, BackendState.UP), backend("b-1", 50, 100, 100, BackendState.UP),
        backend("b-2", 5, 100, 100, BackendState.UP), backend("b-3", 80, 200, 100, BackendState.UP),
        backend("b-4", 20, 100, 300, BackendState.UP));
    List<BackendRecord> withDraining = new ArrayList<>(five);
    withDraining.set(1, five.get(1).withState(BackendState.DRAINING));
    // b-1 draining, b-2 suspect, b-3 full: only b-0 and b-4 are candidates
    List<BackendRecord> unchoosable = List.of(five.get(0), five.get(1).withState(BackendState.DRAINING), five.get(2).withSuspect(true),
        five.get(3).withConnections(200), five.get(4));
    List<BackendRecord> even = List.of(backend("e-0", 10, 100, 100, BackendState.UP), backend("e-1", 10, 100, 100, BackendState.UP),
        backend("e-2", 10, 100, 100, BackendState.UP), backend("e-3", 10, 100, 100, BackendState.UP));
    List<BackendRecord> hot = List.of(backend("e-0", 100, 1000, 100, BackendState.UP), backend("e-1", 10, 1000, 100, BackendState.UP),
        backend("e-2", 10, 1000, 100, BackendState.UP), backend("e-3", 10, 1000, 100, BackendState.UP));
    // mean 15 over all (e-0 is over the bound of 25), 20 over e-0 and e-1 (it would be within the bound of 30)
    List<BackendRecord> warm = List.of(backend("e-0", 30, 1000, 100, BackendState.UP), backend("e-1", 10, 1000, 100, BackendState.UP),
        backend("e-2", 10, 1000, 100, BackendState.UP), backend("e-3", 10, 1000, 100, BackendState.UP));
    List<BackendRecord> coldStart = List.of(backend("e-0", 3, 1000, 100, BackendState.UP), backend("e-1", 0, 1000, 100, BackendState.UP),
        backend("e-2", 0, 1000, 100, BackendState.UP), backend("e-3", 0, 1000, 100, BackendState.UP));
    List<BackendRecord> skewed = List.of(backend("s-0", 100, 1000, 100, BackendState.UP), backend("s-1", 20, 1000, 100, BackendState.UP));
    List<BackendRecord> scaledOut = List.of(backend("s-0", 200, 1000, 100, BackendState.UP), backend("s-1", 0, 1000, 100, BackendState.UP));
    List<BackendRecord> weighted = List.of(backend("w-0", 40, 1000, 100, BackendState.UP), backend("w-1", 40, 1000, 300, BackendState.UP),
        backend("w-2", 40, 1000, 100, BackendState.UP));
    // w-1's fair share after the burst is far above its free capacity of 5
    List<BackendRecord> nearlyFull = List.of(backend("w-0", 10, 1000, 100, BackendState.UP), backend("w-1", 40, 45, 1000, BackendState.UP),
        backend("w-2", 10, 1000, 100, BackendState.UP));
    // targets 57.4, 172.1 and 573.6: only o-2 is below its share
    List<BackendRecord> overTarget = List.of(backend("o-0", 100, 1000, 100, BackendState.UP),
        backend("o-1", 300, 1000, 300, BackendState.UP), backend("o-2", 0, 1000, 1000, BackendState.UP));
    List<String> keys = List.of("alice", "bob", "carol", "dave", "eve", "mallory", "room:42", "🚀 ünïcode", "");
    return List.of(
        spec("round-robin skips DRAINING, starts at a seeded offset", "round-robin", 1, withDraining, null, 10),
        spec("round-robin skips suspect and full backends", "round-robin", 2, unchoosable, null, 6),
        spec("round-robin rotates over the allowed backends", "round-robin", 3, five, null, 9).put("allowed", ids("b-0", "b-2", "b-3")),
        spec("round-robin filling a pool: each pick excludes those picked before", "round-robin", 4, five, null, 6)
            .put("excludePicked", true),
        spec("random by weight", "random", 42, five, null, 20),
        spec("random by weight over the allowed backends", "random", 43, five, null, 12).put("allowed", ids("b-1", "b-4")),
        spec("random skips DRAINING, suspect and full backends", "random", 44, unchoosable, null, 8),
        spec("least-loaded samples by headroom", "least-loaded", 7, five, null, 20),
        spec("least-loaded on 100/20: a burst lands mostly on the lighter one", "least-loaded", 8, skewed, null, 20),
        spec("least-loaded after a scale-out: the empty backend", "least-loaded", 9, scaledOut, null, 5),
        spec("least-loaded on a cold start is by weight", "least-loaded", 17,
            weighted.stream().map(b -> b.withConnections(0)).toList(), null, 12),
        spec("least-loaded: the heavier backend has the larger share", "least-loaded", 10, weighted, null, 12),
        spec("least-loaded headroom is capped by free capacity", "least-loaded", 11, nearlyFull, null, 12),
        spec("least-loaded by weight when no allowed backend has headroom", "least-loaded", 12, overTarget, null, 12)
            .put("allowed", ids("o-0", "o-1")),
        spec("least-loaded by weight over allowed backends above their share", "least-loaded", 13, five, null, 8)
            .put("allowed", ids("b-1", "b-3")),
        spec("least-loaded headroom over the allowed backends only", "least-loaded", 14, five, null, 8)
            .put("allowed", ids("b-1", "b-2", "b-4")),
        spec("least-loaded skips DRAINING, suspect and full backends", "least-loaded", 15, unchoosable, null, 8),
        spec("least-loaded filling a pool", "least-loaded", 16, five, null, 6).put("excludePicked", true),
        spec("least-loaded with one backend", "least-loaded", 3, five.subList(0, 1), null, 3),
        spec("sticky, even load", "sticky", 0, even, keys, 0),
        spec("sticky passes over a backend above 1.25x the mean", "sticky", 0, hot, keys, 0),
        spec("sticky after e-3 left: only its keys move", "sticky", 0, even.subList(0, 3), keys, 0),
        spec("sticky ignores a lead of a few connections", "sticky", 0, coldStart, keys, 0),
        spec("sticky with a filter: the key's next allowed backend", "sticky", 0, even, keys, 0).put("allowed", ids("e-0", "e-2")),
        spec("sticky with a filter: the load bound's mean is over every candidate, not only the allowed", "sticky", 0, warm, keys, 0)
            .put("allowed", ids("e-0", "e-1")),
        spec("sticky skips DRAINING, suspect and full backends", "sticky", 0, unchoosable, keys, 0),
        spec("nothing UP", "random", 5, List.of(five.get(0).withState(BackendState.DRAINING)), null, 2),
        spec("nothing allowed", "least-loaded", 6, five, null, 2).put("allowed", ids()),
        spec("round-robin with nothing allowed", "round-robin", 6, five, null, 2).put("allowed", ids()));
  }

  private static JsonArray ids(String... ids) {
    return new JsonArray(List.of((Object[]) ids));
  }

  static JsonObject spec(String name, String policy, int seed, List<BackendRecord> backends, List<String> keys, int picks) {
    JsonArray list = new JsonArray();
    backends.forEach(b -> list.add(b.toJson()));
    JsonObject c = new JsonObject().put("name", name).put("policy", policy).put("seed", seed).put("backends", list);
    return keys == null ? c.put("picks", picks) : c.put("keys", new JsonArray(keys));
  }

  /**
   * What this implementation picks for one case: one id (or null) per pick, or per key for sticky. A
   * case may restrict every pick to the ids in {@code allowed}, and with {@code excludePicked} exclude
   * the ids it picked before (a pool filling up); without either, picks go through {@code pick(key)}.
   */
  static JsonArray run(JsonObject c) {
    List<BackendRecord> backends = c.getJsonArray("backends").stream()
        .map(o -> BackendRecord.fromJson((JsonObject) o)).toList();
    Selector selector = Policy.of(c.getString("policy")).selector(backends, new Mulberry32(c.getInteger("seed")));
    JsonArray allowedIds = c.getJsonArray("allowed");
    boolean excludePicked = c.getBoolean("excludePicked", false);
    Set<String> picked = new HashSet<>();
    Predicate<BackendRecord> allowed = b -> (allowedIds == null || allowedIds.contains(b.id())) && !picked.contains(b.id());
    boolean filtered = allowedIds != null || excludePicked;
    List<String> keys = new ArrayList<>();
    if (c.containsKey("keys")) {
      c.getJsonArray("keys").forEach(k -> keys.add((String) k));
    } else {
      for (int i = 0; i < c.getInteger("picks"); i++) {
        keys.add(null);
      }
    }
    JsonArray out = new JsonArray();
    for (String key : keys) {
      BackendRecord b = filtered ? selector.pick(key, allowed) : selector.pick(key);
      if (b != null && excludePicked) {
        picked.add(b.id());
      }
      out.add(id(b));
    }
    return out;
  }

  private static String id(BackendRecord r) {
    return r == null ? null : r.id();
  }

  @Test
  void javaReproducesEveryExpectedPick() throws Exception {
    if (Boolean.getBoolean("switchboard.regenerateVectors")) {
      JsonArray all = new JsonArray();
      for (JsonObject c : cases()) {
        all.add(c.put("expected", run(c)));
      }
      Files.writeString(VECTORS, new JsonObject()
          .put("about", "Shared by the Java (PolicyVectorsTest) and browser (PolicyVectorsIT) clients: both must pick "
              + "exactly these backends. Random draws come from mulberry32(seed); sticky scores are fmix32(FNV-1a 32 over UTF-8). "
              + "A case picks `picks` times without a key, or once per entry of `keys`; `allowed` restricts every pick to "
              + "those ids, `excludePicked` excludes the ids the case picked before (a pool filling up).")
          .put("cases", all).encodePrettily() + "\n");
    }
    JsonArray stored = new JsonObject(Files.readString(VECTORS)).getJsonArray("cases");
    assertEquals(cases().size(), stored.size());
    for (Object o : stored) {
      JsonObject c = (JsonObject) o;
      assertEquals(c.getJsonArray("expected"), run(c), c.getString("name"));
    }
  }
}
