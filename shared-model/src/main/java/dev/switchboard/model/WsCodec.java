package dev.switchboard.model;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Decodes and encodes the text frames of PROTOCOL §3. Stateless and thread-safe. */
public final class WsCodec {

  private static final int MAX_ID_LENGTH = 128;
  /** Client requests about a room: their errors carry the room (and a publish's id). */
  private static final Set<String> ROOM_REQUESTS = Set.of("join", "leave", "publish");

  private WsCodec() {
  }

  public static String encode(WsMessage message) {
    return message.toJson().encode();
  }

  /**
   * Decodes one text frame.
   *
   * @throws MessageDecodeException with {@link ErrorCode#BAD_JSON} when the text is not a JSON object,
   *     {@link ErrorCode#UNKNOWN_TYPE} for a missing or unknown {@code type}, {@link ErrorCode#BAD_MESSAGE}
   *     when a field is missing or invalid
   */
  public static WsMessage decode(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      throw new MessageDecodeException(ErrorCode.BAD_JSON, "frame is not a JSON object");
    }
    return decode(json);
  }

  public static WsMessage decode(JsonObject json) {
    Object type = json.getValue("type");
    if (!(type instanceof String name)) {
      throw new MessageDecodeException(ErrorCode.UNKNOWN_TYPE, "missing string field 'type'");
    }
    return switch (name) {
      case "welcome" -> new WsMessage.Welcome(text(json, "backend"), text(json, "session"), integer(json, "heartbeatMs"));
      case "ping" -> new WsMessage.Ping(integer(json, "id"));
      case "pong" -> new WsMessage.Pong(integer(json, "id"), text(json, "backend"));
      case "echo" -> new WsMessage.Echo(integer(json, "id"), json.getValue("data"));
      case "join" -> new WsMessage.Join(room(json), since(json));
      case "joined" -> new WsMessage.Joined(room(json), integer(json, "seq"));
      case "leave" -> new WsMessage.Leave(room(json));
      case "stay" -> new WsMessage.Stay();
      case "publish" -> new WsMessage.Publish(room(json), messageId(json), json.getValue("data"));
      case "ack" -> new WsMessage.Ack(messageId(json), integer(json, "seq"));
      case "message" -> new WsMessage.RoomMessage(room(json), integer(json, "seq"), messageId(json),
          text(json, "from"), json.getValue("data"));
      case "drain" -> new WsMessage.Drain(deadline(json), drainReason(json), prefer(json));
      case "error" -> new WsMessage.Error(text(json, "code"), String.valueOf(json.getValue("message")),
          json.getValue("room") instanceof String room ? room : null, validId(json.getValue("id")));
      default -> new WsMessage.Custom(name, json);
    };
  }

  private static String text(JsonObject json, String field) {
    if (json.getValue(field) instanceof String s) {
      return s;
    }
    throw bad(json, field, "a string");
  }

  private static long integer(JsonObject json, String field) {
    Long value = optionalInteger(json, field);
    if (value == null) {
      throw bad(json, field, "an integer");
    }
    return value;
  }

  private static Long optionalInteger(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long) {
      return ((Number) value).longValue();
    }
    throw bad(json, field, "an integer");
  }

  private static Long since(JsonObject json) {
    Long since = optionalInteger(json, "since");
    if (since != null && since < WsMessage.Join.MIN_SINCE) {
      throw bad(json, "since", "an integer >= -1");
    }
    return since;
  }

  private static long deadline(JsonObject json) {
    long deadline = integer(json, "deadlineMs");
    if (deadline < 0) {
      throw bad(json, "deadlineMs", "an integer >= 0");
    }
    return deadline;
  }

  private static DrainReason drainReason(JsonObject json) {
    Object reason = json.getValue("reason");
    if (reason == null) {
      return DrainReason.DRAIN;
    }
    if (reason instanceof String s) {
      return DrainReason.fromWire(s);
    }
    throw bad(json, "reason", "a string");
  }

  private static List<String> prefer(JsonObject json) {
    Object value = json.getValue("prefer");
    if (value == null) {
      return List.of();
    }
    String expected = "an array of at most " + WsMessage.Drain.MAX_PREFER + " backend ids";
    if (!(value instanceof JsonArray array) || array.size() > WsMessage.Drain.MAX_PREFER) {
      throw bad(json, "prefer", expected);
    }
    List<String> ids = new ArrayList<>(array.size());
    for (Object id : array) {
      if (!(id instanceof String s) || !WsMessage.BACKEND_ID.matcher(s).matches()) {
        throw bad(json, "prefer", expected);
      }
      ids.add(s);
    }
    return ids;
  }

  private static String room(JsonObject json) {
    String room = text(json, "room");
    if (!WsMessage.ROOM.matcher(room).matches()) {
      throw bad(json, "room", "a room name matching [A-Za-z0-9._:-]{1,128}");
    }
    return room;
  }

  private static Object messageId(JsonObject json) {
    Object id = validId(json.getValue("id"));
    if (id == null) {
      throw bad(json, "id", "a string of 1..128 characters or an integer");
    }
    return id;
  }

  /** A message id as decoded (a String, or a Long for any JSON integer), or null when it is not one. */
  private static Object validId(Object id) {
    if (id instanceof String s && !s.isEmpty() && s.length() <= MAX_ID_LENGTH) {
      return s;
    }
    if (id instanceof Integer || id instanceof Long) {
      return ((Number) id).longValue();
    }
    return null;
  }

  private static MessageDecodeException bad(JsonObject json, String field, String expected) {
    String type = json.getString("type");
    String message = "'" + type + "' needs field '" + field + "' to be " + expected;
    if (!ROOM_REQUESTS.contains(type)) {
      return new MessageDecodeException(ErrorCode.BAD_MESSAGE, message);
    }
    // name the request's room and id, where valid, so the client can tell which request failed
    String room = json.getValue("room") instanceof String r && WsMessage.ROOM.matcher(r).matches() ? r : null;
    Object id = "publish".equals(type) ? validId(json.getValue("id")) : null;
    return new MessageDecodeException(ErrorCode.BAD_MESSAGE, message, room, id);
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
