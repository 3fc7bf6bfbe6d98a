package dev.switchboard.model;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.regex.Pattern;

/** The JSON text frames of the backend WebSocket API (PROTOCOL §3). Decode with {@link WsCodec}. */
public sealed interface WsMessage {

  /** The wire value of the {@code type} field. */
  String type();

  JsonObject toJson();

  /** Room names: {@code [A-Za-z0-9._:-]{1,128}}. */
  Pattern ROOM = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** Backend ids, as in a backend record: {@code [A-Za-z0-9._-]{1,64}}. */
  Pattern BACKEND_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

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

  /**
   * Join a room; with {@code since}, replay what the room got after that seq first. {@code since} is
   * at least -1 (-1: from the room's first message, what {@link Joined} reports for an empty room).
   */
  record Join(String room, Long since) implements WsMessage {
    /** The lowest {@code since}: the seq before a room's first message. */
    public static final long MIN_SINCE = -1;

    public Join {
      if (since != null && since < MIN_SINCE) {
        throw new IllegalArgumentException("since must be >= -1, got " + since);
      }
    }

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

  /**
   * Move to another backend within {@code deadlineMs}. {@code reason} says why (extension: absent on
   * the wire reads as {@link DrainReason#DRAIN}); {@code prefer} names, best first, the backends a
   * rebalance would like the client to move to (extension: at most {@link #MAX_PREFER}, absent when
   * empty). A client that ignores both still moves correctly.
   */
  record Drain(long deadlineMs, DrainReason reason, List<String> prefer) implements WsMessage {

    /** The most backend ids a {@code prefer} list carries. */
    public static final int MAX_PREFER = 16;

    public Drain {
      if (deadlineMs < 0) {
        throw new IllegalArgumentException("deadlineMs must be >= 0, got " + deadlineMs);
      }
      if (reason == null) {
        throw new IllegalArgumentException("reason must be drain or rebalance, got null");
      }
      prefer = prefer == null ? List.of() : List.copyOf(prefer);
      if (prefer.size() > MAX_PREFER) {
        throw new IllegalArgumentException("prefer holds at most " + MAX_PREFER + " ids, got " + prefer.size());
      }
      for (String id : prefer) {
        if (!BACKEND_ID.matcher(id).matches()) {
          throw new IllegalArgumentException("prefer ids must match [A-Za-z0-9._-]{1,64}, got '" + id + "'");
        }
      }
    }

    /** A plain drain: the backend is leaving. */
    public Drain(long deadlineMs) {
      this(deadlineMs, DrainReason.DRAIN, List.of());
    }

    /** A rebalance move, preferably to one of {@code prefer} (best first). */
    public static Drain rebalance(long deadlineMs, List<String> prefer) {
      return new Drain(deadlineMs, DrainReason.REBALANCE, prefer);
    }

    public String type() {
      return "drain";
    }

    public JsonObject toJson() {
      JsonObject json = frame(type()).put("deadlineMs", deadlineMs).put("reason", reason.wire());
      return prefer.isEmpty() ? json : json.put("prefer", new JsonArray(prefer));
    }
  }

  /**
   * Client → server, extension: the answer to a {@code rebalance} drain the client cannot follow (every
   * backend it could move to already holds one of its connections, or none under its share is listed).
   * The backend then keeps the connection instead of closing it at the deadline, and does not ask it
   * again within the rebalance hold-down (a drain still reaches it). Ignored after a plain drain (that backend is leaving) and when no rebalance asked.
   */
  record Stay() implements WsMessage {

    public String type() {
      return "stay";
    }

    public JsonObject toJson() {
      return frame(type());
    }
  }

  /**
   * Bad input; the connection stays open. {@code code} is usually an {@link ErrorCode#wire()}. An error
   * that answers a {@code join}, {@code leave} or {@code publish} names its {@code room} (and a publish's
   * {@code id}) so the client can tell which request failed; both are null (absent) otherwise.
   */
  record Error(String code, String message, String room, Object id) implements WsMessage {

    /** An error that answers no particular room request. */
    public Error(String code, String message) {
      this(code, message, null, null);
    }

    public String type() {
      return "error";
    }

    public JsonObject toJson() {
      JsonObject json = frame(type()).put("code", code).put("message", message);
      if (room != null) {
        json.put("room", room);
      }
      return id == null ? json : json.put("id", id);
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
