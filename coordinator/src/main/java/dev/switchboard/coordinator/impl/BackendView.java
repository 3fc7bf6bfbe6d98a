package dev.switchboard.coordinator.impl;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.SseWriter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The coordinator's list of backends, its change counter and a bounded history of encoded changes.
 * Event ids are {@code <epoch>-<seq>}: the epoch is random per view, so an id from another coordinator
 * or an earlier run is unknown here and gets a snapshot. Confined to one event loop.
 */
final class BackendView {

  private static final Pattern EVENT_ID = Pattern.compile("([0-9a-z]{1,16})-([0-9]{1,18})");

  private final String epoch;
  private final int historySize;
  private final Map<String, BackendRecord> records = new TreeMap<>();
  private final ArrayDeque<ViewEvent> history = new ArrayDeque<>();
  private final Map<String, Buffer> snapshotCache = new HashMap<>();
  private long seq;

  BackendView(int historySize) {
    this(Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36), historySize);
  }

  BackendView(String epoch, int historySize) {
    this.epoch = epoch;
    this.historySize = historySize;
  }

  long seq() {
    return seq;
  }

  /** The id of the newest change; a snapshot taken now carries it. */
  String eventId() {
    return epoch + "-" + seq;
  }

  Collection<BackendRecord> records() {
    return records.values();
  }

  BackendRecord get(String id) {
    return records.get(id);
  }

  /** Adds or replaces a record; returns the change, or empty when nothing changed. */
  Optional<ViewEvent> upsert(BackendRecord record) {
    BackendRecord previous = records.put(record.id(), record);
    if (record.equals(previous)) {
      return Optional.empty();
    }
    return Optional.of(append(record.service(), "upsert", record.toJson().encode()));
  }

  /** Removes a record; returns the change, or empty when it was not there. */
  Optional<ViewEvent> remove(String id, String reason) {
    BackendRecord previous = records.remove(id);
    if (previous == null) {
      return Optional.empty();
    }
    String data = new JsonObject().put("id", id).put("reason", reason).encode();
    return Optional.of(append(previous.service(), "remove", data));
  }

  /** The current list, optionally of one service, in id order. */
  List<BackendRecord> list(String service) {
    List<BackendRecord> out = new ArrayList<>();
    for (BackendRecord r : records.values()) {
      if (service == null || service.equals(r.service())) {
        out.add(r);
      }
    }
    return out;
  }

  /** A {@code snapshot} event of the current list for {@code service} (null = all), cached until the next change. */
  Buffer snapshotFrame(String service) {
    return snapshotCache.computeIfAbsent(service == null ? "" : service, key -> {
      JsonArray backends = new JsonArray();
      list(service).forEach(r -> backends.add(r.toJson()));
      return Buffer.buffer(SseWriter.event(eventId(), "snapshot", new JsonObject().put("backends", backends).encode()));
    });
  }

  /**
   * The changes after {@code lastEventId}, or empty when the reader needs a snapshot instead: the id
   * is malformed, from another epoch, ahead of us, or older than the retained history.
   */
  Optional<List<ViewEvent>> since(String lastEventId, String service) {
    if (lastEventId == null) {
      return Optional.empty();
    }
    Matcher m = EVENT_ID.matcher(lastEventId.trim());
    if (!m.matches() || !m.group(1).equals(epoch)) {
      return Optional.empty();
    }
    long last = Long.parseLong(m.group(2));
    long oldestKept = history.isEmpty() ? seq + 1 : history.peekFirst().seq();
    if (last > seq || last < oldestKept - 1) {
      return Optional.empty();
    }
    List<ViewEvent> missed = new ArrayList<>();
    for (ViewEvent e : history) {
      if (e.seq() > last && e.matches(service)) {
        missed.add(e);
      }
    }
    return Optional.of(missed);
  }

  private ViewEvent append(String service, String type, String data) {
    seq++;
    snapshotCache.clear();
    ViewEvent event = new ViewEvent(seq, service, Buffer.buffer(SseWriter.event(eventId(), type, data)));
    history.addLast(event);
    if (history.size() > historySize) {
      history.removeFirst();
    }
    return event;
  }
}
