package dev.switchboard.backend.impl;

import com.hazelcast.ringbuffer.ReadResultSet;
import dev.switchboard.model.WsCodec;
import dev.switchboard.model.WsMessage;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Messages of a room at contiguous seqs from {@code first}; {@code next} is the seq after the last one, or
 * the seq asked for when there are none. {@code frames} holds each one's {@code message} frame once
 * encoded, so a fan-out to many members parses and encodes a message once, not once per member.
 */
record RoomBatch(long first, String[] items, long next, String[] frames) {

  static final RoomBatch EMPTY = new RoomBatch(0, new String[0], 0, new String[0]);

  /** Items read from a ringbuffer from {@code from} (Hazelcast reports seq 0 when it read nothing). */
  static RoomBatch of(ReadResultSet<String> result, long from) {
    String[] items = new String[result.readCount()];
    for (int i = 0; i < items.length; i++) {
      items[i] = result.get(i);
    }
    return of(items.length == 0 ? from : result.getSequence(0), items);
  }

  static RoomBatch of(long first, List<String> items) {
    return of(first, items.toArray(new String[0]));
  }

  private static RoomBatch of(long first, String[] items) {
    return new RoomBatch(first, items, first + items.length, new String[items.length]);
  }

  /** The encoded {@code message} frame of item {@code i} of room {@code room}. */
  String frame(String room, int i) {
    if (frames[i] == null) {
      JsonObject m = new JsonObject(items[i]);
      frames[i] = WsCodec.encode(new WsMessage.RoomMessage(room, first + i, m.getValue("id"), m.getString("from"),
          m.getValue("data")));
    }
    return frames[i];
  }

  int readCount() {
    return items.length;
  }

  String lastItem() {
    return items[items.length - 1];
  }
}
