package dev.switchboard.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WsCodecTest {

  @Test
  void everyMessageRoundTrips() {
    List<WsMessage> messages = List.of(
        new WsMessage.Welcome("b1", "s1", 5000),
        new WsMessage.Ping(7),
        new WsMessage.Pong(7, "b1"),
        new WsMessage.Echo(3, new JsonObject().put("x", new JsonArray().add(1).add("two"))),
        new WsMessage.Echo(4, null),
        new WsMessage.Join("lobby", null),
        new WsMessage.Join("lobby", 41L),
        new WsMessage.Joined("lobby", -1),
        new WsMessage.Leave("lobby"),
        new WsMessage.Publish("lobby", "m-1", "hi"),
        new WsMessage.Publish("lobby", 99L, 12),
        new WsMessage.Ack("m-1", 42),
        new WsMessage.RoomMessage("lobby", 42, "m-1", "s1", "hi"),
        new WsMessage.Drain(10_000),
        new WsMessage.Error("bad-json", "frame is not a JSON object"));
    for (WsMessage message : messages) {
      assertEquals(message, WsCodec.decode(WsCodec.encode(message)), message.type());
    }
  }

  @Test
  void wireFormMatchesTheProtocol() {
    assertEquals(new JsonObject("{\"type\":\"pong\",\"id\":5,\"backend\":\"b\"}"),
        new WsMessage.Pong(5, "b").toJson());
    assertEquals(new JsonObject("{\"type\":\"welcome\",\"backend\":\"b\",\"session\":\"s\",\"heartbeatMs\":5000}"),
        new WsMessage.Welcome("b", "s", 5000).toJson());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "{", "[1,2]", "\"text\"", "42", "{\"type\":\"ping\",\"id\":1}}"})
  void malformedJsonIsBadJson(String text) {
    assertEquals(ErrorCode.BAD_JSON, assertThrows(MessageDecodeException.class, () -> WsCodec.decode(text)).code());
  }

  @Test
  void anUndefinedTypeDecodesAsAnApplicationMessage() {
    WsMessage m = WsCodec.decode("{\"type\":\"teleport\",\"to\":\"mars\"}");
    assertEquals(new WsMessage.Custom("teleport", new JsonObject().put("type", "teleport").put("to", "mars")), m);
    assertEquals("mars", m.toJson().getString("to"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"type\":7}", "{\"type\":null}"})
  void missingOrUnknownTypeIsUnknownType(String text) {
    assertEquals(ErrorCode.UNKNOWN_TYPE,
        assertThrows(MessageDecodeException.class, () -> WsCodec.decode(text)).code());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"type\":\"ping\"}",
      "{\"type\":\"ping\",\"id\":\"1\"}",
      "{\"type\":\"ping\",\"id\":1.5}",
      "{\"type\":\"join\",\"room\":\"\"}",
      "{\"type\":\"join\",\"room\":\"a b\"}",
      "{\"type\":\"join\",\"room\":\"r\",\"since\":\"x\"}",
      "{\"type\":\"publish\",\"room\":\"r\",\"data\":1}",
      "{\"type\":\"publish\",\"room\":\"r\",\"id\":\"\",\"data\":1}",
      "{\"type\":\"publish\",\"room\":\"r\",\"id\":{},\"data\":1}",
  })
  void invalidFieldIsBadMessageNamingTheField(String text) {
    MessageDecodeException e = assertThrows(MessageDecodeException.class, () -> WsCodec.decode(text));
    assertEquals(ErrorCode.BAD_MESSAGE, e.code());
    assertEquals("error", e.toFrame().type());
  }
}
