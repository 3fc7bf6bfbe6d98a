package dev.switchboard.model;

import io.vertx.core.json.JsonObject;

import java.util.regex.Pattern;

/** The JSON text frames of the backend WebSocket API (PROTOCOL §3). Decode with {@link WsCodec}. */
public sealed interface WsMessage {

  /** The wire value of the {@code type} field. */
  String type();

  JsonObject toJson();

  /** Room names: {@code [A-Za-z0-9._:-]{1,128}}. */
  Pattern ROOM = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** First frame after the upgrade; {@code heartbeatMs} is how often the client should ping. */
  record Welcome(String backend, String session, long heartbeatMs) implements WsMessage {
    public String type() {
      return "welcome";
    }

    public JsonObject toJson() {
      return frame(type()).put("backend", backend).put("session", session).put("heartbeatMs", heartbeatMs);
    }
  }

  /** Application heartbeat from the client. */
  record Ping(long id) implements WsMessage {
    public String type() {
      return "ping";
    }

    public JsonObject toJson() {
      return frame(type()).put("id", id);
    }
  }

  /** Answer to a {@link Ping}, with the same id. */
  record Pong(long id, String backend) implements WsMessage {
    public String type() {
      return "pong";
    }

    public JsonObject toJson() {
      return frame(type()).put("id", id).put("backend", backend);
    }
  }

  /** Sent back as received; {@code data} is any JSON value. */
  record Echo(long id, Object data) implements WsMessage {
    public String type() {
      return "echo";
    }

    public JsonObject toJson() {
      return frame(type()).put("id", id).put("data", data);
    }
  }

  /** Join a room; with {@code since}, replay what the room got after that seq first. */
  record Join(String room, Long since) implements WsMessage {
    public String type() {
      return "join";
    }

    public JsonObject toJson() {
      JsonObject json = frame(type()).put("room", room);
      return since == null ? json : json.put("since", since);
    }
  }

  /**
   * Extension: confirms a {@link Join}. The member receives every message of the room with a seq
   * greater than {@code seq} (the room's last seq at the join, or the {@code since} it asked for).
   */
  record Joined(String room, long seq) implements WsMessage {
    public String type() {
      return "joined";
    }

    public JsonObject toJson() {
      return frame(type()).put("room", room).put("seq", seq);
    }
  }

  record Leave(String room) implements WsMessage {
    public String type() {
      return "leave";
    }

    public JsonObject toJson() {
      return frame(type()).put("room", room);
    }
  }

  /** Publish to a room; {@code id} (a string or an integer) makes a resend idempotent. */
  record Publish(String room, Object id, Object data) implements WsMessage {
    public String type() {
      return "publish";
    }

    public JsonObject toJson() {
      return frame(type()).put("room", room).put("id", id).put("data", data);
    }
  }

  /** The publish with this id is stored at {@code seq}. */
  record Ack(Object id, long seq) implements WsMessage {
    public String type() {
      return "ack";
    }

    public JsonObject toJson() {
      return frame(type()).put("id", id).put("seq", seq);
    }
  }

  /** A room delivery; {@code seq} increases per room, cluster-wide. */
  record RoomMessage(String room, long seq, Object id, String from, Object data) implements WsMessage {
    public String type() {
      return "message";
    }

    public JsonObject toJson() {
      return frame(type()).put("room", room).put("seq", seq).put("id", id).put("from", from).put("data", data);
    }
  }

  /** The backend is leaving: move elsewhere within {@code deadlineMs}. */
  record Drain(long deadlineMs) implements WsMessage {
    public String type() {
      return "drain";
    }

    public JsonObject toJson() {
      return frame(type()).put("deadlineMs", deadlineMs);
    }
  }

  /** Bad input; the connection stays open. {@code code} is usually an {@link ErrorCode#wire()}. */
  record Error(String code, String message) implements WsMessage {
    public String type() {
      return "error";
    }

    public JsonObject toJson() {
      return frame(type()).put("code", code).put("message", message);
    }
  }

  /**
   * A frame whose {@code type} the protocol does not define: an application message, handed to the
   * backend's message handler (or answered with {@code unknown-type} when there is none).
   */
  record Custom(String type, JsonObject json) implements WsMessage {
    public JsonObject toJson() {
      return json.copy();
    }
  }

  private static JsonObject frame(String type) {
    return new JsonObject().put("type", type);
  }
}
