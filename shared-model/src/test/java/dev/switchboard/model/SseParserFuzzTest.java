package dev.switchboard.model;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Fuzzing the SSE parser: any bytes, cut into any chunks, give exactly what the whole stream fed at once
 * gives (CRLF and UTF-8 sequences may be split anywhere) and never throw; what {@link SseWriter} writes
 * parses back to the same event.
 */
class SseParserFuzzTest {

  /** What a parser saw: events, retries and the last event id. */
  private record Seen(List<SseEvent> events, List<Long> retries, String lastEventId) {
  }

  private static Seen parse(byte[] bytes, List<Integer> cuts) {
    List<SseEvent> events = new ArrayList<>();
    List<Long> retries = new ArrayList<>();
    SseParser parser = new SseParser(events::add, retries::add, SseParser.DEFAULT_MAX_EVENT_CHARS);
    int from = 0;
    for (int cut : cuts.stream().map(c -> Math.min(c, bytes.length)).sorted().toList()) {
      parser.feed(Arrays.copyOfRange(bytes, from, Math.max(from, cut)));
      from = Math.max(from, cut);
    }
    parser.feed(Arrays.copyOfRange(bytes, from, bytes.length));
    return new Seen(events, retries, parser.lastEventId());
  }

  @Property(tries = 500)
  void anyBytesInAnyChunksGiveWhatTheWholeStreamGives(@ForAll("streams") byte[] bytes,
      @ForAll("cuts") List<Integer> cuts) {
    assertEquals(parse(bytes, List.of()), parse(bytes, cuts));
  }

  @Property(tries = 500)
  void whatTheWriterWritesParsesBackToTheSameEvent(@ForAll("ids") String id, @ForAll("names") String event,
      @ForAll("data") String data, @ForAll("cuts") List<Integer> cuts) {
    byte[] bytes = (SseWriter.retry(2000) + SseWriter.event(id, event, data) + SseWriter.comment("keep-alive"))
        .getBytes(StandardCharsets.UTF_8);
    Seen seen = parse(bytes, cuts);
    String expected = data.replace("\r\n", "\n").replace('\r', '\n');
    assertEquals(List.of(new SseEvent(id, event, expected)), seen.events());
    assertEquals(List.of(2000L), seen.retries());
    assertEquals(id, seen.lastEventId());
  }

  @Provide
  Arbitrary<byte[]> streams() {
    // raw bytes, and text made of the characters that matter to the parser, as UTF-8
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<String> pieces = Arbitraries.of("data: ", "data:", "data", "id: ", "id: 7\u0000", "event: ", "retry: ",
        "retry: 1500", "retry: x", ": c", "\n", "\r", "\r\n", "\n\n", ":", " ", "é", "🚀", "\uFEFF", "x", "{\"a\":1}");
    Arbitrary<byte[]> structured = pieces.list().ofMaxSize(60)
        .map(list -> String.join("", list).getBytes(StandardCharsets.UTF_8));
    return Arbitraries.oneOf(raw, structured);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 400).list().ofMaxSize(12);
  }

  @Provide
  Arbitrary<String> ids() {
    return JsonArbitraries.unicodeText(20).filter(s -> s.indexOf('\n') < 0 && s.indexOf('\r') < 0 && s.indexOf('\0') < 0);
  }

  @Provide
  Arbitrary<String> names() {
    return Combinators.combine(Arbitraries.of("upsert", "remove", "snapshot"), JsonArbitraries.unicodeText(10))
        .as((known, random) -> random.isEmpty() ? known : random)
        .filter(s -> !s.isEmpty() && s.indexOf('\n') < 0 && s.indexOf('\r') < 0);
  }

  @Provide
  Arbitrary<String> data() {
    return Arbitraries.oneOf(JsonArbitraries.unicodeText(80),
        Arbitraries.of("\r\n", "\n", "\r", "a\r\n\r\nb", "\n\n", ":x", "data: y").list().ofMaxSize(6).map(l -> String.join("", l)));
  }
}
