package dev.switchboard.model;

import io.vertx.core.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzing the WebSocket codec: whatever a peer sends, {@link WsCodec#decode} answers with a message or a
 * {@link MessageDecodeException} (which becomes an {@code error} frame), never another exception; and
 * every message it decodes encodes back to itself.
 */
class WsCodecFuzzTest {

  private static final String[] TYPES = {"welcome", "ping", "pong", "echo", "join", "joined", "leave", "publish",
      "ack", "message", "drain", "error", "shout", ""};
  private static final String[] FIELDS = {"type", "type", "id", "room", "since", "seq", "data", "backend", "session",
      "heartbeatMs", "deadlineMs", "reason", "prefer", "code", "message", "from"};

  @Property(tries = 500)
  void anyTextDecodesOrFailsWithADecodeException(@ForAll("texts") String text) {
    decodeOrReject(text);
  }

  @Property(tries = 1000)
  void anyJsonObjectDecodesOrFailsWithADecodeExceptionAndRoundTrips(@ForAll("frames") JsonObject frame) {
    WsMessage message = decodeOrReject(frame.encode());
    if (message != null) {
      assertEquals(message, WsCodec.decode(WsCodec.encode(message)), frame.encode());
    }
  }

  @Property(tries = 500)
  void aDamagedFrameDecodesOrFailsWithADecodeException(@ForAll("damagedFrames") String text) {
    WsMessage message = decodeOrReject(text);
    if (message != null) {
      assertEquals(message, WsCodec.decode(WsCodec.encode(message)), text);
    }
  }

  /** The message, or null when the codec refused the text with its documented exception. */
  private static WsMessage decodeOrReject(String text) {
    try {
      return WsCodec.decode(text);
    } catch (MessageDecodeException e) {
      // the documented refusal: it must be answerable with an error frame
      assertEquals("error", e.toFrame().type());
      return null;
    }
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.oneOf(
        JsonArbitraries.anyText(),
        Arbitraries.of("null", "[]", "[1]", "\"x\"", "1", "true", "{", "{}", "{\"type\":null}", "{\"type\":1}",
            "{\"type\":\"ping\",\"id\":1e400}", "[".repeat(2_000), "{\"a\":".repeat(2_000),
            "{\"type\":\"ping\",\"id\":1,\"id\":\"2\"}", "\uFEFF{\"type\":\"ping\",\"id\":1}"),
        JsonArbitraries.value(3).map(v -> {
          try {
            return io.vertx.core.json.Json.encode(v);
          } catch (RuntimeException e) {
            return String.valueOf(v);
          }
        }));
  }

  @Provide
  Arbitrary<JsonObject> frames() {
    return Combinators.combine(Arbitraries.of(TYPES), JsonArbitraries.objectWithKeys(2, FIELDS))
        .as((type, json) -> json.containsKey("type") ? json : json.put("type", type));
  }

  /** A valid frame's text cut short, with a character replaced, or with text spliced in. */
  @Provide
  Arbitrary<String> damagedFrames() {
    Arbitrary<String> valid = Arbitraries.of(
        "{\"type\":\"join\",\"room\":\"lobby\",\"since\":4}",
        "{\"type\":\"publish\",\"room\":\"team-1\",\"id\":\"m-1\",\"data\":{\"text\":\"hi\"}}",
        "{\"type\":\"drain\",\"deadlineMs\":2000,\"reason\":\"rebalance\",\"prefer\":[\"a-1\",\"b-2\"]}",
        "{\"type\":\"error\",\"code\":\"forbidden\",\"message\":\"no\",\"room\":\"lobby\",\"id\":7}");
    return Combinators.combine(valid, Arbitraries.integers().between(0, 200), Arbitraries.integers().between(0, 2),
            JsonArbitraries.anyText())
        .as((text, at, how, splice) -> {
          int i = Math.min(at, text.length());
          return switch (how) {
            case 0 -> text.substring(0, i);
            case 1 -> i < text.length() ? text.substring(0, i) + (splice.isEmpty() ? "\"" : splice.substring(0, 1))
                + text.substring(i + 1) : text + splice;
            default -> text.substring(0, i) + splice + text.substring(i);
          };
        });
  }
}
