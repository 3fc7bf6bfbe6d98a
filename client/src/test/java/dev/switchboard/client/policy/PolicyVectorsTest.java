package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
    List<BackendRecord> even = List.of(backend("e-0", 10, 100, 100, BackendState.UP), backend("e-1", 10, 100, 100, BackendState.UP),
        backend("e-2", 10, 100, 100, BackendState.UP), backend("e-3", 10, 100, 100, BackendState.UP));
    List<BackendRecord> hot = List.of(backend("e-0", 100, 1000, 100, BackendState.UP), backend("e-1", 10, 1000, 100, BackendState.UP),
        backend("e-2", 10, 1000, 100, BackendState.UP), backend("e-3", 10, 1000, 100, BackendState.UP));
    List<BackendRecord> coldStart = List.of(backend("e-0", 3, 1000, 100, BackendState.UP), backend("e-1", 0, 1000, 100, BackendState.UP),
        backend("e-2", 0, 1000, 100, BackendState.UP), backend("e-3", 0, 1000, 100, BackendState.UP));
    List<String> keys = List.of("alice", "bob", "carol", "dave", "eve", "mallory", "room:42", "🚀 ünïcode", "");
    return List.of(
        spec("round-robin skips DRAINING, starts at a seeded offset", "round-robin", 1, withDraining, null, 10),
        spec("random", "random", 42, five, null, 20),
        spec("least-loaded, power of two choices by connections/(capacity*weight)", "least-loaded", 7, five, null, 20),
        spec("least-loaded with one backend", "least-loaded", 3, five.subList(0, 1), null, 3),
        spec("sticky, even load", "sticky", 0, even, keys, 0),
        spec("sticky passes over a backend above 1.25x the mean", "sticky", 0, hot, keys, 0),
        spec("sticky after e-3 left: only its keys move", "sticky", 0, even.subList(0, 3), keys, 0),
        spec("sticky ignores a lead of a few connections", "sticky", 0, coldStart, keys, 0),
        spec("nothing UP", "random", 5, List.of(five.get(0).withState(BackendState.DRAINING)), null, 2));
  }

  static JsonObject spec(String name, String policy, int seed, List<BackendRecord> backends, List<String> keys, int picks) {
    JsonArray list = new JsonArray();
    backends.forEach(b -> list.add(b.toJson()));
    JsonObject c = new JsonObject().put("name", name).put("policy", policy).put("seed", seed).put("backends", list);
    return keys == null ? c.put("picks", picks) : c.put("keys", new JsonArray(keys));
  }

  /** What this implementation picks for one case: one id (or null) per pick, or per key for sticky. */
  static JsonArray run(JsonObject c) {
    List<BackendRecord> backends = c.getJsonArray("backends").stream()
        .map(o -> BackendRecord.fromJson((JsonObject) o)).toList();
    Selector selector = Policy.of(c.getString("policy")).selector(backends, new Mulberry32(c.getInteger("seed")));
    JsonArray out = new JsonArray();
    if (c.containsKey("keys")) {
      c.getJsonArray("keys").forEach(k -> out.add(id(selector.pick((String) k))));
    } else {
      for (int i = 0; i < c.getInteger("picks"); i++) {
        out.add(id(selector.pick()));
      }
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
              + "exactly these backends. Random draws come from mulberry32(seed), hashes are FNV-1a 32 over UTF-8.")
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
