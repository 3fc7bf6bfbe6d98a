package dev.switchboard.coordinator.impl;

import dev.switchboard.model.SseEvent;
import dev.switchboard.model.SseParser;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PingFrameTest {

  @Test
  void thePingIsANamedEventCarryingTheKeepAlivePeriodAndLeavesTheLastEventIdAlone() {
    List<SseEvent> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add);
    parser.feed("id: e-7\nevent: upsert\ndata: {}\n\n".getBytes());
    parser.feed(CoordinatorServer.pingFrame(1500).getBytes());

    assertEquals(2, events.size());
    SseEvent ping = events.get(1);
    assertEquals("ping", ping.event());
    assertEquals(1500L, new JsonObject(ping.data()).getLong("keepAliveMs"));
    assertEquals("e-7", ping.id(), "no id line: the id in force stays the last change's");
    assertEquals("e-7", parser.lastEventId());
  }
}
