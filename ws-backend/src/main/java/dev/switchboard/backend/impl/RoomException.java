package dev.switchboard.backend.impl;

import dev.switchboard.model.ErrorCode;
import dev.switchboard.model.WsMessage;

/** A room request refused for a reason the client can act on; {@link #toFrame} is its answer. */
public final class RoomException extends RuntimeException {

  private final ErrorCode code;
  private final String room;

  public RoomException(ErrorCode code, String room, String message) {
    super(message, null, false, false);
    this.code = code;
    this.room = room;
  }

  public ErrorCode code() {
    return code;
  }

  public String room() {
    return room;
  }

  /** The {@code error} frame answering the request; {@code id} is the publish's id, or null. */
  public WsMessage.Error toFrame(Object id) {
    return new WsMessage.Error(code.wire(), getMessage(), room, id);
  }
}
