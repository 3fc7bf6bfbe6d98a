package dev.switchboard.client;

import dev.switchboard.model.ErrorCode;

/**
 * The backend refused a join or a publish ({@code error} code {@code forbidden}): the client's ticket,
 * or the application's authorizer, does not allow it. {@link #room()} names the room; {@link #id()} the
 * publish's id (null for a join).
 */
public final class ForbiddenException extends RequestException {

  public ForbiddenException(String room, Object id, String message) {
    super(ErrorCode.FORBIDDEN.wire(), room, id, message);
  }
}
