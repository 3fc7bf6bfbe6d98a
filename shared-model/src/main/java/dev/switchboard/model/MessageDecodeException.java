package dev.switchboard.model;

/** A WebSocket frame that cannot be decoded into a {@link WsMessage}; {@link #code()} goes into the error frame. */
public final class MessageDecodeException extends IllegalArgumentException {

  private final ErrorCode code;

  public MessageDecodeException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }

  /** The {@code error} frame that answers this failure. */
  public WsMessage.Error toFrame() {
    return new WsMessage.Error(code.wire(), getMessage());
  }
}
