package dev.switchboard.coordinator.impl;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.SseEvent;
import dev.switchboard.model.SseParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendViewTest {

  private final BackendView view = new BackendView("ep1", 3);

  static BackendRecord record(String id, String service) {
    return new BackendRecord(id, service, "ws://127.0.0.1:9000/ws", "n1", "local", BackendState.UP, 0, 10, 100, 1L);
  }

  static List<SseEvent> parse(Buffer... frames) {
    List<SseEvent> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add);
    for (Buffer b : frames) {
      parser.feed(b.getBytes());
    }
    return events;
  }

  @Test
  void upsertOfAnUnchangedRecordIsNoEvent() {
    assertTrue(view.upsert(record("a", "chat")).isPresent());
    assertTrue(view.upsert(record("a", "chat")).isEmpty());
    assertTrue(view.upsert(record("a", "chat").withConnections(1)).isPresent());
    assertEquals("ep1-2", view.eventId());
  }

  @Test
  void removeOfAnUnknownIdIsNoEvent() {
    assertTrue(view.remove("ghost", "deregistered").isEmpty());
  }

  @Test
  void eventsCarryIncreasingIdsAndTheProtocolPayloads() {
    ViewEvent up = view.upsert(record("a", "chat")).orElseThrow();
    ViewEvent rm = view.remove("a", "node-left").orElseThrow();
    List<SseEvent> events = parse(up.frame(), rm.frame());
    assertEquals("ep1-1", events.get(0).id());
    assertEquals("upsert", events.get(0).event());
    assertEquals(record("a", "chat"), BackendRecord.fromJson(new JsonObject(events.get(0).data())));
    assertEquals(new SseEvent("ep1-2", "remove", "{\"id\":\"a\",\"reason\":\"node-left\"}"), events.get(1));
  }

  @Test
  void snapshotListsTheFilteredServiceAndCarriesTheCurrentId() {
    view.upsert(record("a", "chat"));
    view.upsert(record("b", "game"));
    SseEvent snapshot = parse(view.snapshotFrame("game")).get(0);
    assertEquals("snapshot", snapshot.event());
    assertEquals("ep1-2", snapshot.id());
    assertEquals(1, new JsonObject(snapshot.data()).getJsonArray("backends").size());
    assertEquals(2, new JsonObject(parse(view.snapshotFrame(null)).get(0).data()).getJsonArray("backends").size());
  }

  @Test
  void snapshotCacheIsDroppedOnChange() {
    view.upsert(record("a", "chat"));
    Buffer first = view.snapshotFrame(null);
    assertTrue(first == view.snapshotFrame(null));
    view.upsert(record("b", "chat"));
    assertEquals(2, new JsonObject(parse(view.snapshotFrame(null)).get(0).data()).getJsonArray("backends").size());
  }

  @Test
  void resumeReplaysExactlyTheMissedEventsOfTheService() {
    view.upsert(record("a", "chat"));   // 1
    view.upsert(record("b", "game"));   // 2
    view.remove("a", "deregistered");   // 3
    assertEquals(List.of(2L, 3L), view.since("ep1-1", null).orElseThrow().stream().map(ViewEvent::seq).toList());
    assertEquals(List.of(3L), view.since("ep1-1", "chat").orElseThrow().stream().map(ViewEvent::seq).toList());
    assertEquals(List.of(), view.since("ep1-3", null).orElseThrow());
  }

  @Test
  void expiredUnknownFutureAndMalformedIdsNeedASnapshot() {
    for (int i = 0; i < 5; i++) {
      view.upsert(record("a", "chat").withConnections(i)); // history keeps 3..5
    }
    assertTrue(view.since("ep1-2", null).isPresent(), "last seen 2, history starts at 3: nothing lost");
    assertTrue(view.since("ep1-1", null).isEmpty(), "event 2 is no longer retained");
    assertTrue(view.since("ep1-9", null).isEmpty(), "ahead of this view");
    assertTrue(view.since("other-4", null).isEmpty(), "another coordinator's id");
    for (String garbage : new String[] {"", "-", "ep1-", "ep1-x", "ep1--1", "ep1-99999999999999999999", "\u0000", null}) {
      assertTrue(view.since(garbage, null).isEmpty(), "garbage id " + garbage);
    }
  }
}
