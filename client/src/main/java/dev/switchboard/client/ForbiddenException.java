package dev.switchboard.client;

/**
 * The backend refused a join or a publish ({@code error} code {@code forbidden}): the client's ticket,
 * or the application's authorizer, does not allow it. {@link #room()} names the room; {@link #id()} the
 * publish's id (null for a join).
 */
public final class ForbiddenException extends IllegalStateException {

  private final String room;
  private final transient Object id;

  public ForbiddenException(String room, Object id, String message) {
    super(message);
    this.room = room;
    this.id = id;
  }

  public String room() {
    return room;
  }

  public Object id() {
    return id;
  }
}
