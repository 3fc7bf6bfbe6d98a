package dev.switchboard.model;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SseRoundTripTest {

  private final List<SseEvent> events = new ArrayList<>();
  private final List<Long> retries = new ArrayList<>();
  private final SseParser parser = new SseParser(events::add, retries::add, 1024);

  @Test
  void writerOutputParsesBackToTheSameEvent() {
    String data = "{\"a\":1}\nsecond line\r\nthird\rfourth";
    parser.feed(SseWriter.retry(2000) + SseWriter.event("7", "upsert", data) + SseWriter.comment("keep-alive"));
    assertEquals(List.of(new SseEvent("7", "upsert", "{\"a\":1}\nsecond line\nthird\nfourth")), events);
    assertEquals(List.of(2000L), retries);
    assertEquals("7", parser.lastEventId());
  }

  @Test
  void lfCrAndCrlfLineEndsAreAllAccepted() {
    parser.feed("event: a\ndata: 1\n\n");
    parser.feed("event: b\rdata: 2\r\r");
    parser.feed("event: c\r\ndata: 3\r\n\r\n");
    assertEquals(List.of(new SseEvent("", "a", "1"), new SseEvent("", "b", "2"), new SseEvent("", "c", "3")), events);
  }

  @Test
  void crlfSplitAcrossChunksIsOneLineEnd() {
    parser.feed("data: x\r");
    parser.feed("\ndata: y\r");
    parser.feed("\n\r");
    parser.feed("\n");
    assertEquals(List.of(new SseEvent("", "message", "x\ny")), events);
  }

  @Test
  void bytesSplitAtEveryOffsetGiveTheSameEvents() {
    String stream = "\uFEFFid: 1\nevent: upsert\ndata: héllo → wörld 🚀\ndata: two\n\n: comment\n\nid: 2\ndata: z\n\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    List<SseEvent> expected = List.of(
        new SseEvent("1", "upsert", "héllo → wörld 🚀\ntwo"), new SseEvent("2", "message", "z"));
    for (int split = 0; split <= bytes.length; split++) {
      List<SseEvent> got = new ArrayList<>();
      SseParser p = new SseParser(got::add);
      byte[] a = java.util.Arrays.copyOfRange(bytes, 0, split);
      byte[] b = java.util.Arrays.copyOfRange(bytes, split, bytes.length);
      p.feed(a);
      p.feed(b);
      assertEquals(expected, got, "split at " + split);
    }
    List<SseEvent> oneByOne = new ArrayList<>();
    SseParser p = new SseParser(oneByOne::add);
    for (byte x : bytes) {
      p.feed(new byte[] {x});
    }
    assertEquals(expected, oneByOne);
  }

  @Test
  void fieldRulesFollowWhatwg() {
    parser.feed("data:no-space\n\n");                 // the space after the colon is optional
    parser.feed("data:  two-spaces\n\n");             // only one space is removed
    parser.feed("data\n\n");                          // a field with no colon has an empty value
    parser.feed("event: only\n\n");                   // no data: not dispatched
    parser.feed("unknown: field\ndata: u\n\n");       // unknown fields are ignored
    parser.feed("retry: 12x\nretry: 300\ndata: r\n\n"); // retry takes digits only
    parser.feed("id: a\0b\ndata: n\n\n");             // an id with NUL is ignored
    parser.feed("id\ndata: cleared\n\n");             // an empty id resets the last id
    assertEquals(List.of(
        new SseEvent("", "message", "no-space"),
        new SseEvent("", "message", " two-spaces"),
        new SseEvent("", "message", ""),
        new SseEvent("", "message", "u"),
        new SseEvent("", "message", "r"),
        new SseEvent("", "message", "n"),
        new SseEvent("", "message", "cleared")), events);
    assertEquals(List.of(300L), retries);
  }

  @Test
  void incompleteEventAtEndOfStreamIsNotDispatched() {
    parser.feed("data: partial\n");
    assertEquals(List.of(), events);
  }

  @Test
  void oversizeEventFailsInsteadOfGrowing() {
    String big = "data: " + "x".repeat(2000) + "\n\n";
    assertThrows(IllegalStateException.class, () -> parser.feed(big));
  }

  @Test
  void writerRefusesMultiLineIdsAndEvents() {
    assertThrows(IllegalArgumentException.class, () -> SseWriter.event("1\n2", "x", "d"));
    assertThrows(IllegalArgumentException.class, () -> SseWriter.event("1", "x\ry", "d"));
  }
}
