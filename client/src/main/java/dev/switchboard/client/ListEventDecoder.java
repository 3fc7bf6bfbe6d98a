package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.InvalidRecordException;
import dev.switchboard.model.SseEvent;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** The list stream's SSE events as {@link ListEvent}s. */
final class ListEventDecoder {

  private static final Logger log = LoggerFactory.getLogger(ListEventDecoder.class);

  private ListEventDecoder() {
  }

  /** Parses one SSE event; null for an event type this client does not know. */
  static ListEvent decode(SseEvent event) {
    switch (event.event()) {
      case "snapshot": {
        JsonArray array = new JsonObject(event.data()).getJsonArray("backends");
        List<BackendRecord> list = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
          try {
            list.add(BackendRecord.fromJson(array.getJsonObject(i)));
          } catch (InvalidRecordException | ClassCastException e) {
            log.warn("ignoring invalid backend in snapshot: {}", e.getMessage());
          }
        }
        return new ListEvent.Snapshot(event.id(), List.copyOf(list));
      }
      case "upsert":
        return new ListEvent.Upsert(event.id(), BackendRecord.fromJson(new JsonObject(event.data())));
      case "remove": {
        JsonObject json = new JsonObject(event.data());
        String id = json.getString("id");
        if (id == null) {
          throw new DecodeException("remove event without id");
        }
        return new ListEvent.Remove(event.id(), id, json.getString("reason", "unknown"));
      }
      default:
        return null;
    }
  }
}
