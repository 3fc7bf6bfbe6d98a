package dev.switchboard.client;

import dev.switchboard.model.ErrorCode;

/**
 * A join or publish failed: the backend answered it with an {@code error} frame ({@link #code()} its
 * code, e.g. {@code too-many-rooms}, {@code publish-failed}, {@code bad-message}), or no answer came
 * within {@code requestTimeoutMs} ({@link #TIMEOUT}). {@link #room()} names the room; {@link #id()}
 * the publish's id (null for a join).
 */
public class RequestException extends IllegalStateException {

  /** The code of a request that got no answer in time. */
  public static final String TIMEOUT = "timeout";

  private final String code;
  private final String room;
  private final transient Object id;

  public RequestException(String code, String room, Object id, String message) {
    super(message);
    this.code = code;
    this.room = room;
    this.id = id;
  }

  /** The error frame's code, or {@link #TIMEOUT}. */
  public String code() {
    return code;
  }

  /** The code as an {@link ErrorCode}; null for {@link #TIMEOUT} or a code this client does not know. */
  public ErrorCode errorCode() {
    for (ErrorCode c : ErrorCode.values()) {
      if (c.wire().equals(code)) {
        return c;
      }
    }
    return null;
  }

  public String room() {
    return room;
  }

  public Object id() {
    return id;
  }
}
