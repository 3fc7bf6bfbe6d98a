package dev.switchboard.client;

import dev.switchboard.model.SseEvent;
import io.vertx.core.json.DecodeException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ListEventDecodeTest {

  private static final String RECORD = "{\"id\":\"b1\",\"url\":\"ws://h:1/ws\",\"node\":\"n\",\"state\":\"UP\","
      + "\"connections\":0,\"capacity\":5,\"startedAt\":1}";

  @Test
  void snapshotSkipsInvalidBackendsButKeepsTheValidOnes() {
    ListEvent e = ListEventDecoder.decode(new SseEvent("x-1", "snapshot",
        "{\"backends\":[" + RECORD + ",{\"id\":\"bad id\"}]}"));
    ListEvent.Snapshot snapshot = (ListEvent.Snapshot) e;
    assertEquals(1, snapshot.backends().size());
    assertEquals("b1", snapshot.backends().get(0).id());
  }

  @Test
  void upsertAndRemoveDecode() {
    assertEquals("b1", ((ListEvent.Upsert) ListEventDecoder.decode(new SseEvent("x-2", "upsert", RECORD))).backend().id());
    ListEvent.Remove remove = (ListEvent.Remove) ListEventDecoder.decode(
        new SseEvent("x-3", "remove", "{\"id\":\"b1\",\"reason\":\"expired\"}"));
    assertEquals("expired", remove.reason());
  }

  @Test
  void unknownTypesAreNullAndMalformedDataThrowsForTheCallerToLog() {
    assertNull(ListEventDecoder.decode(new SseEvent("x", "future-thing", "{}")));
    assertThrows(DecodeException.class, () -> ListEventDecoder.decode(new SseEvent("x", "upsert", "{oops")));
    assertThrows(DecodeException.class, () -> ListEventDecoder.decode(new SseEvent("x", "remove", "{}")));
  }
}
