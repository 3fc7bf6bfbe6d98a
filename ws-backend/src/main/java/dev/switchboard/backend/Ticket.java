package dev.switchboard.backend;

import dev.switchboard.backend.impl.RoomGlob;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;

/**
 * The verified ticket a client presented at the upgrade ({@code ?ticket=}, a signed JWT): who it is
 * ({@code sub}), until when the ticket admits ({@code exp}), its id ({@code jti}, may be null), the room
 * patterns it may join and publish to ({@code rooms.join}, {@code rooms.publish}; see
 * {@link #mayJoin}) and every claim as sent.
 */
public record Ticket(String subject, Instant expiresAt, String id, List<String> join, List<String> publish,
    JsonObject claims) {

  public Ticket {
    join = List.copyOf(join);
    publish = List.copyOf(publish);
    claims = claims.copy();
  }

  /** Every claim of the ticket (a copy). */
  @Override
  public JsonObject claims() {
    return claims.copy();
  }

  /**
   * Whether a pattern of {@code rooms.join} matches {@code room}: a room name where {@code *} stands for
   * any run of characters ({@code team-*}, or {@code *} for every room).
   */
  public boolean mayJoin(String room) {
    return join.stream().anyMatch(p -> RoomGlob.matches(p, room));
  }

  /** Whether a pattern of {@code rooms.publish} matches {@code room}, as in {@link #mayJoin}. */
  public boolean mayPublish(String room) {
    return publish.stream().anyMatch(p -> RoomGlob.matches(p, room));
  }
}
