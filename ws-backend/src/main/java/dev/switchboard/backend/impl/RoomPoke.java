package dev.switchboard.backend.impl;

/**
 * What a backend publishes on {@code switchboard.room-poke.<room>} after storing a message: its seq and
 * the stored item, so the receivers hand it out without reading the ringbuffer. Wire form (an event-bus
 * String): {@code <seq>\n<stored item>}. A body in any other form (a Long from an older node) is a bare
 * "read now".
 */
record RoomPoke(long seq, String item) {

  String encode() {
    return seq + "\n" + item;
  }

  /** The poke in {@code body}, or null when it carries no message. */
  static RoomPoke decode(Object body) {
    if (!(body instanceof String s)) {
      return null;
    }
    int cut = s.indexOf('\n');
    if (cut <= 0) {
      return null;
    }
    try {
      long seq = Long.parseLong(s, 0, cut, 10);
      return seq < 0 ? null : new RoomPoke(seq, s.substring(cut + 1));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
