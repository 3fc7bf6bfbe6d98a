package dev.switchboard.model;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendRecordTest {

  static JsonObject valid() {
    return new JsonObject()
        .put("id", "node-1.b0")
        .put("service", "chat")
        .put("url", "ws://127.0.0.1:9000/ws")
        .put("node", "5f1c")
        .put("zone", "local")
        .put("state", "UP")
        .put("connections", 3)
        .put("capacity", 100)
        .put("weight", 100)
        .put("startedAt", 1_700_000_000_000L);
  }

  @Test
  void roundTripsThroughJson() {
    BackendRecord record = BackendRecord.fromJson(valid());
    assertEquals(valid(), record.toJson());
    assertEquals(record, BackendRecord.fromJson(record.toJson()));
  }

  @Test
  void suspectIsOnTheWireOnlyWhenTrueAndReadBack() {
    BackendRecord record = BackendRecord.fromJson(valid());
    assertTrue(record.choosable());
    BackendRecord suspect = record.withSuspect(true);
    assertEquals(true, suspect.toJson().getValue("suspect"));
    assertEquals(suspect, BackendRecord.fromJson(suspect.toJson()));
    assertTrue(!suspect.choosable());
    assertTrue(!record.toJson().containsKey("suspect"));
    assertTrue(!record.withState(BackendState.DRAINING).choosable());
  }

  @Test
  void aSuspectThatIsNotABooleanIsRejected() {
    InvalidRecordException e = assertThrows(InvalidRecordException.class,
        () -> BackendRecord.fromJson(valid().put("suspect", "yes")));
    assertTrue(e.getMessage().contains("suspect"), e.getMessage());
  }

  @Test
  void absentServiceZoneAndWeightTakeTheirDefaults() {
    JsonObject json = valid();
    json.remove("service");
    json.remove("zone");
    json.remove("weight");
    BackendRecord record = BackendRecord.fromJson(json);
    assertEquals("chat", record.service());
    assertEquals("local", record.zone());
    assertEquals(100, record.weight());
  }

  @ParameterizedTest(name = "{0}={1} is rejected")
  @CsvSource(delimiter = '|', value = {
      "id|''",
      "id|has space",
      "id|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "service|Chat",
      "service|aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "url|http://127.0.0.1:9000/ws",
      "url|/ws",
      "url|ws://",
      "node|''",
      "zone|''",
      "state|DOWN",
      "state|up",
  })
  void stringRuleBrokenNamesTheField(String field, String value) {
    JsonObject json = valid().put(field, value);
    InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> BackendRecord.fromJson(json));
    assertEquals(field, e.field());
    assertTrue(e.getMessage().contains(field), e.getMessage());
  }

  @ParameterizedTest(name = "{0}={1} is rejected")
  @CsvSource({
      "connections,-1",
      "capacity,0",
      "weight,0",
      "weight,1001",
      "startedAt,-5",
      "connections,4294967296",
  })
  void numericRuleBrokenNamesTheField(String field, long value) {
    JsonObject json = valid().put(field, value);
    InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> BackendRecord.fromJson(json));
    assertEquals(field, e.field());
  }

  @Test
  void wrongTypeAndMissingRequiredFieldAreRejected() {
    assertEquals("capacity", assertThrows(InvalidRecordException.class,
        () -> BackendRecord.fromJson(valid().put("capacity", "100"))).field());
    assertEquals("connections", assertThrows(InvalidRecordException.class,
        () -> BackendRecord.fromJson(valid().put("connections", 1.5))).field());
    JsonObject noUrl = valid();
    noUrl.remove("url");
    InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> BackendRecord.fromJson(noUrl));
    assertEquals("url", e.field());
    assertEquals("is required", e.rule());
  }

  @Test
  void wssUrlsAndWeightBoundsAreAccepted() {
    BackendRecord.fromJson(valid().put("url", "wss://example.org/ws").put("weight", 1));
    BackendRecord.fromJson(valid().put("weight", 1000));
  }

  @Test
  void withersKeepEveryOtherField() {
    BackendRecord record = BackendRecord.fromJson(valid());
    BackendRecord draining = record.withState(BackendState.DRAINING).withConnections(7);
    assertEquals(BackendState.DRAINING, draining.state());
    assertEquals(7, draining.connections());
    assertEquals(record.url(), draining.url());
    assertEquals(record.startedAt(), draining.startedAt());
  }
}
