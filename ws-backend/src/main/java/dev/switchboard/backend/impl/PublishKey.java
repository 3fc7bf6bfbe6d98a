package dev.switchboard.backend.impl;

import java.util.Collection;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Keys of the publish-id claims in {@code switchboard.room-ids}: {@code room NUL s:<id>} for a string
 * id, {@code room NUL n:<id>} for an integer one, so {@code 7} and {@code "7"} are different messages.
 */
public final class PublishKey {

  private static final char SEPARATOR = '\u0000';

  private PublishKey() {
  }

  /** The claim key of {@code id} (a String, or an integral Number) in {@code room}. */
  public static String of(String room, Object id) {
    if (id instanceof String s) {
      return room + SEPARATOR + "s:" + s;
    }
    if (id instanceof Long || id instanceof Integer || id instanceof Short || id instanceof Byte) {
      return room + SEPARATOR + "n:" + ((Number) id).longValue();
    }
    throw new IllegalArgumentException("a message id is a string or an integer, got " + id);
  }

  /** A regular expression matching every claim key of any of {@code rooms} (for a predicate on {@code __key}). */
  public static String roomsPattern(Collection<String> rooms) {
    if (rooms.isEmpty()) {
      throw new IllegalArgumentException("no rooms");
    }
    return rooms.stream().map(Pattern::quote).collect(Collectors.joining("|", "(?s)(?:", ")" + SEPARATOR + ".*"));
  }
}
