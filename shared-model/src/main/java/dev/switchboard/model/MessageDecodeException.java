package dev.switchboard.model;

/**
 * A WebSocket frame that cannot be decoded into a {@link WsMessage}; {@link #code()} goes into the error
 * frame, with the request's {@code room} and {@code id} when the frame was a room request that named them
 * validly.
 */
public final class MessageDecodeException extends IllegalArgumentException {

  private final ErrorCode code;
  private final String room;
  private final Object id;

  public MessageDecodeException(ErrorCode code, String message) {
    this(code, message, null, null);
  }

  /** @param room the request's room, or null; @param id the request's message id, or null */
  public MessageDecodeException(ErrorCode code, String message, String room, Object id) {
    super(message);
    this.code = code;
    this.room = room;
    this.id = id;
  }

  public ErrorCode code() {
    return code;
  }

  /** The room the failed request named, or null. */
  public String room() {
    return room;
  }

  /** The message id the failed request named, or null. */
  public Object id() {
    return id;
  }

  /** The {@code error} frame that answers this failure. */
  public WsMessage.Error toFrame() {
    return new WsMessage.Error(code.wire(), getMessage(), room, id);
  }
}
