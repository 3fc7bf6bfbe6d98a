package dev.switchboard.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Fuzzing record validation: any JSON object read as a backend record gives a record or an
 * {@link InvalidRecordException}, never another exception; every record read writes back to itself;
 * and a valid record with one field of the wrong type is refused naming that field.
 */
class BackendRecordFuzzTest {

  private static final String[] FIELDS = {"id", "service", "url", "node", "zone", "state", "connections", "capacity",
      "weight", "startedAt", "suspect"};

  @Property(tries = 1000)
  void anyObjectIsARecordOrInvalidAndEveryRecordRoundTrips(@ForAll("objects") JsonObject json) {
    BackendRecord record;
    try {
      record = BackendRecord.fromJson(json);
    } catch (InvalidRecordException e) {
      return;
    }
    assertEquals(record, BackendRecord.fromJson(record.toJson()));
    assertEquals(record, BackendRecord.fromJson(new JsonObject(record.toJson().encode())));
  }

  @Property(tries = 300)
  void aValidRecordRoundTrips(@ForAll("valid") JsonObject json) {
    BackendRecord record = BackendRecord.fromJson(json);
    assertEquals(record, BackendRecord.fromJson(record.toJson()));
  }

  @Property(tries = 300)
  void aFieldOfTheWrongTypeIsRefusedNamingIt(@ForAll("valid") JsonObject json, @ForAll("fields") String field,
      @ForAll("wrongTypes") Object wrong) {
    json.put(field, wrong);
    InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> BackendRecord.fromJson(json));
    assertEquals(field, e.field(), e.getMessage());
  }

  @Provide
  Arbitrary<JsonObject> objects() {
    return Arbitraries.oneOf(
        JsonArbitraries.objectWithKeys(1, FIELDS),
        // a valid record with some fields replaced by anything: gets past the first checks
        Combinators.combine(valid(), JsonArbitraries.objectWithKeys(1, FIELDS)).as((base, noise) -> {
          noise.forEach(e -> base.put(e.getKey(), e.getValue()));
          return base;
        }));
  }

  @Provide
  Arbitrary<JsonObject> valid() {
    Arbitrary<String> ids = Arbitraries.strings().withChars("abcXYZ019._-").ofMinLength(1).ofMaxLength(64);
    Arbitrary<String> services = Arbitraries.strings().withChars("abz09-").ofMinLength(1).ofMaxLength(32);
    Arbitrary<String> urls = Combinators.combine(Arbitraries.of("ws", "wss"), Arbitraries.of("127.0.0.1", "example.org", "[::1]"),
            Arbitraries.integers().between(1, 65535), Arbitraries.of("/ws", "", "/a/b?x=1"))
        .as((scheme, host, port, path) -> scheme + "://" + host + ":" + port + path);
    Arbitrary<String> texts = JsonArbitraries.unicodeText(30).filter(s -> !s.isBlank());
    return Combinators.combine(ids, services, urls, texts, texts, Arbitraries.of(BackendState.class),
            Arbitraries.integers().greaterOrEqual(0), Arbitraries.integers().greaterOrEqual(1))
        .as((id, service, url, node, zone, state, connections, capacity) -> new JsonObject()
            .put("id", id).put("service", service).put("url", url).put("node", node).put("zone", zone)
            .put("state", state.name()).put("connections", connections).put("capacity", capacity))
        .flatMap(json -> Combinators.combine(Arbitraries.integers().between(1, 1000), Arbitraries.longs().greaterOrEqual(0),
                Arbitraries.of(true, false))
            .as((weight, startedAt, suspect) -> {
              JsonObject copy = json.copy().put("weight", weight).put("startedAt", startedAt);
              return suspect ? copy.put("suspect", true) : copy;
            }));
  }

  @Provide
  Arbitrary<String> fields() {
    return Arbitraries.of(FIELDS);
  }

  /** No field of a record takes a JSON array, an object or a fraction. */
  @Provide
  Arbitrary<Object> wrongTypes() {
    return Arbitraries.of(new JsonArray().add(1), new JsonObject().put("a", 1), new JsonArray(), 1.5);
  }
}
