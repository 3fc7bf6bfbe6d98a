package dev.switchboard.backend;

import io.vertx.core.json.JsonObject;

/** One client of a backend, as an application message handler sees it. */
public interface ClientConnection {

  /** The session id sent to the client in {@code welcome}. */
  String session();

  /** The backend the client is connected to. */
  String backend();

  /** The ticket the client was admitted with, or null when this backend takes no tickets. */
  default Ticket ticket() {
    return null;
  }

  /** Who the client is: its ticket's {@code sub}, or null without a ticket. */
  default String subject() {
    Ticket ticket = ticket();
    return ticket == null ? null : ticket.subject();
  }

  /**
   * Sends one JSON text frame (subject to the connection's write back-pressure and its bound on unsent
   * bytes, past which it is closed as a slow consumer); from any thread.
   */
  void send(JsonObject message);

  /** Closes the connection with a WebSocket close code and reason. */
  void close(short code, String reason);
}
