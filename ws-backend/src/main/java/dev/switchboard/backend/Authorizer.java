package dev.switchboard.backend;

import io.vertx.core.Future;

/**
 * Decides whether a client may join or publish to a room; called on the backend's event loop before
 * every {@code join} and {@code publish}. A refusal (false, or a failed future) answers the request
 * with an {@code error} frame, code {@code forbidden}, naming the room (and the publish's id). Room
 * requests of one connection are decided and carried out in the order they arrived, so a slow answer
 * holds back that connection's later room requests: always complete the future.
 */
@FunctionalInterface
public interface Authorizer {

  /** What a client asks to do with a room. */
  enum Action {
    /** {@code join}, with or without {@code since}. */
    JOIN,
    /** {@code publish}. */
    PUBLISH
  }

  Future<Boolean> authorize(ClientConnection client, Action action, String room);

  /**
   * The default rules: a client with a ticket may join the rooms its {@code rooms.join} patterns match
   * and publish to those its {@code rooms.publish} patterns match; a client without one (tickets off)
   * may do anything.
   */
  static Authorizer ticketRooms() {
    return (client, action, room) -> {
      Ticket ticket = client.ticket();
      boolean allowed = ticket == null
          || (action == Action.JOIN ? ticket.mayJoin(room) : ticket.mayPublish(room));
      return Future.succeededFuture(allowed);
    };
  }
}
