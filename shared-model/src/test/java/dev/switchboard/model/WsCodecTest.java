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
        new WsMessage.Stay(),
        new WsMessage.Publish("lobby", "m-1", "hi"),
        new WsMessage.Publish("lobby", 99L, 12),
        new WsMessage.Ack("m-1", 42),
        new WsMessage.RoomMessage("lobby", 42, "m-1", "s1", "hi"),
        new WsMessage.Drain(10_000),
        WsMessage.Drain.rebalance(2_000, List.of("3f2a9c1d-3", "3f2a9c1d-4")),
        WsMessage.Drain.rebalance(2_000, List.of()),
        new WsMessage.Join("lobby", -1L),
        new WsMessage.Error("bad-json", "frame is not a JSON object"),
        new WsMessage.Error("too-many-rooms", "node cap", "lobby", null),
        new WsMessage.Error("publish-failed", "not stored", "lobby", "m-1"),
        new WsMessage.Error("publish-failed", "not stored", "lobby", 7L));
    for (WsMessage message : messages) {
      assertEquals(message, WsCodec.decode(WsCodec.encode(message)), message.type());
    }
  }

  @Test
  void aForbiddenErrorNamesTheRefusedRoomAndIdAndRoundTrips() {
    WsMessage.Error error = new WsMessage.Error(ErrorCode.FORBIDDEN.wire(), "no", "team-2", "m-1");
    assertEquals(new JsonObject("{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"no\",\"room\":\"team-2\",\"id\":\"m-1\"}"),
        error.toJson());
    assertEquals(error, WsCodec.decode(WsCodec.encode(error)));
    assertEquals(new JsonObject("{\"type\":\"error\",\"code\":\"bad-json\",\"message\":\"x\"}"),
        new WsMessage.Error("bad-json", "x").toJson());
  }

  @Test
  void wireFormMatchesTheProtocol() {
    assertEquals(new JsonObject("{\"type\":\"pong\",\"id\":5,\"backend\":\"b\"}"),
        new WsMessage.Pong(5, "b").toJson());
    assertEquals(new JsonObject("{\"type\":\"welcome\",\"backend\":\"b\",\"session\":\"s\",\"heartbeatMs\":5000}"),
        new WsMessage.Welcome("b", "s", 5000).toJson());
    assertEquals(new JsonObject("{\"type\":\"stay\"}"), new WsMessage.Stay().toJson());
  }

  @Test
  void aPlainDrainSaysDrainAndPreferencesNoBackend() {
    assertEquals(new JsonObject("{\"type\":\"drain\",\"deadlineMs\":10000,\"reason\":\"drain\"}"),
        new WsMessage.Drain(10_000).toJson());
  }

  @Test
  void aRebalanceDrainNamesThePreferredBackendsInOrder() {
    assertEquals(new JsonObject("{\"type\":\"drain\",\"deadlineMs\":2000,\"reason\":\"rebalance\","
            + "\"prefer\":[\"n-4\",\"n-3\"]}"),
        WsMessage.Drain.rebalance(2_000, List.of("n-4", "n-3")).toJson());
  }

  @Test
  void aDrainWithoutTheExtensionFieldsIsAPlainDrain() {
    assertEquals(new WsMessage.Drain(5_000), WsCodec.decode("{\"type\":\"drain\",\"deadlineMs\":5000}"));
  }

  @Test
  void anUnknownDrainReasonReadsAsAPlainDrainSoTheClientStillMoves() {
    WsMessage.Drain drain = (WsMessage.Drain) WsCodec.decode(
        "{\"type\":\"drain\",\"deadlineMs\":5000,\"reason\":\"maintenance\",\"prefer\":[\"b\"]}");
    assertEquals(DrainReason.DRAIN, drain.reason());
    assertEquals(List.of("b"), drain.prefer());
  }

  @Test
  void aPreferListIsCappedAtSixteenBackends() {
    List<String> seventeen = java.util.stream.IntStream.range(0, 17).mapToObj(i -> "b-" + i).toList();
    assertThrows(IllegalArgumentException.class, () -> WsMessage.Drain.rebalance(2_000, seventeen));
    String text = new JsonObject().put("type", "drain").put("deadlineMs", 1).put("prefer", new JsonArray(seventeen)).encode();
    assertEquals(ErrorCode.BAD_MESSAGE, assertThrows(MessageDecodeException.class, () -> WsCodec.decode(text)).code());
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
      "{\"type\":\"join\",\"room\":\"r\",\"since\":-2}",
      "{\"type\":\"join\",\"room\":\"r\",\"since\":1.5}",
      "{\"type\":\"join\",\"room\":\"r\",\"since\":\"3\"}",
      "{\"type\":\"publish\",\"room\":\"r\",\"data\":1}",
      "{\"type\":\"publish\",\"room\":\"r\",\"id\":\"\",\"data\":1}",
      "{\"type\":\"publish\",\"room\":\"r\",\"id\":{},\"data\":1}",
      "{\"type\":\"drain\"}",
      "{\"type\":\"drain\",\"deadlineMs\":-1}",
      "{\"type\":\"drain\",\"deadlineMs\":1,\"reason\":7}",
      "{\"type\":\"drain\",\"deadlineMs\":1,\"prefer\":\"b\"}",
      "{\"type\":\"drain\",\"deadlineMs\":1,\"prefer\":[\"a b\"]}",
      "{\"type\":\"drain\",\"deadlineMs\":1,\"prefer\":[1]}",
  })
  void invalidFieldIsBadMessageNamingTheField(String text) {
    MessageDecodeException e = assertThrows(MessageDecodeException.class, () -> WsCodec.decode(text));
    assertEquals(ErrorCode.BAD_MESSAGE, e.code());
    assertEquals("error", e.toFrame().type());
  }

  @Test
  void aNegativeSinceBelowMinusOneIsABadJoinThatNamesItsRoom() {
    MessageDecodeException e = assertThrows(MessageDecodeException.class,
        () -> WsCodec.decode("{\"type\":\"join\",\"room\":\"lobby\",\"since\":-5}"));
    assertEquals(ErrorCode.BAD_MESSAGE, e.code());
    assertEquals(new JsonObject().put("type", "error").put("code", "bad-message").put("message", e.getMessage())
        .put("room", "lobby"), e.toFrame().toJson());
    assertThrows(IllegalArgumentException.class, () -> new WsMessage.Join("lobby", -2L));
  }

  @Test
  void sinceMinusOneMeansFromTheFirstMessageAndIsAccepted() {
    assertEquals(new WsMessage.Join("lobby", -1L), WsCodec.decode("{\"type\":\"join\",\"room\":\"lobby\",\"since\":-1}"));
  }

  @Test
  void aBadPublishNamesItsRoomAndIdWhenTheyAreValid() {
    MessageDecodeException badRoom = assertThrows(MessageDecodeException.class,
        () -> WsCodec.decode("{\"type\":\"publish\",\"room\":\"a b\",\"id\":\"m-1\",\"data\":1}"));
    assertEquals(null, badRoom.room());
    assertEquals("m-1", badRoom.id());
    MessageDecodeException badId = assertThrows(MessageDecodeException.class,
        () -> WsCodec.decode("{\"type\":\"publish\",\"room\":\"lobby\",\"id\":{},\"data\":1}"));
    assertEquals("lobby", badId.toFrame().room());
    assertEquals(null, badId.toFrame().id());
  }

  @Test
  void anErrorThatAnswersNoRoomRequestCarriesNeitherRoomNorId() {
    MessageDecodeException e = assertThrows(MessageDecodeException.class,
        () -> WsCodec.decode("{\"type\":\"ping\",\"id\":\"x\",\"room\":\"lobby\"}"));
    assertEquals(false, e.toFrame().toJson().containsKey("room"));
    assertEquals(false, e.toFrame().toJson().containsKey("id"));
  }
}
