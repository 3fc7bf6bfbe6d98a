package dev.switchboard.coordinator.impl;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The scale body's validation: JSON integers in range only. */
class AdminApiTest {

  @ParameterizedTest
  @ValueSource(strings = {"0", "3", "1000"})
  void aJsonIntegerInRangeIsTaken(String n) {
    assertEquals(Integer.valueOf(n), AdminApi.instances(new JsonObject("{\"instances\": " + n + "}")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5", "1e2", "3.0", "\"3\"", "-1", "1001", "10000000000", "true", "null", "[3]", "{}"})
  void anythingButAJsonIntegerInRangeIsRefused(String n) {
    assertNull(AdminApi.instances(new JsonObject("{\"instances\": " + n + "}")), n);
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"count\": 3}"})
  void aBodyWithoutInstancesIsRefused(String body) {
    assertNull(AdminApi.instances(new JsonObject(body)));
  }
}
