package dev.switchboard.model;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Incremental Server-Sent Events reader that follows the WHATWG "event stream interpretation" rules:
 * CR, LF and CRLF line ends (a CRLF split across two chunks counts once), a leading BOM is dropped,
 * multi-line {@code data} is joined with LF, comments are skipped, {@code retry} takes digits only,
 * an {@code id} containing NUL is ignored, and an event with no data is not dispatched. Bytes may be
 * split anywhere, including inside a UTF-8 sequence.
 *
 * <p>We do not use vertx-web-client's {@code BodyCodec.sseStream} (5.1, marked unstable; its
 * {@code SseBodyCodec}): it ends a line at CR and again at the LF of the same CRLF, so a CRLF stream
 * dispatches an event after every line; a non-numeric {@code retry} fails the whole stream instead of
 * being ignored; {@code id} is not carried over to later events; and a block without {@code data} is
 * still dispatched.
 *
 * <p>Memory is bounded: a line or an event larger than {@code maxEventChars} fails the parser with
 * an {@link IllegalStateException} instead of growing without limit. Not thread-safe.
 */
public final class SseParser {

  /** Default bound on one event's size, in characters. */
  public static final int DEFAULT_MAX_EVENT_CHARS = 1 << 20;

  private final Consumer<SseEvent> onEvent;
  private final LongConsumer onRetry;
  private final int maxEventChars;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE)
      .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private final StringBuilder line = new StringBuilder();
  private final StringBuilder data = new StringBuilder();
  private ByteBuffer pendingBytes = ByteBuffer.allocate(0);
  private String eventType = "";
  private String lastEventId = "";
  private boolean dataSeen;
  private boolean lastWasCr;
  private boolean started;

  public SseParser(Consumer<SseEvent> onEvent) {
    this(onEvent, retry -> { }, DEFAULT_MAX_EVENT_CHARS);
  }

  public SseParser(Consumer<SseEvent> onEvent, LongConsumer onRetry, int maxEventChars) {
    this.onEvent = onEvent;
    this.onRetry = onRetry;
    this.maxEventChars = maxEventChars;
  }

  /** The id of the last event seen; what a reader sends as {@code Last-Event-ID} when it reconnects. */
  public String lastEventId() {
    return lastEventId;
  }

  /** Feeds raw bytes from the stream; a UTF-8 sequence split across calls is decoded once complete. */
  public void feed(byte[] bytes) {
    ByteBuffer in;
    if (pendingBytes.hasRemaining()) {
      in = ByteBuffer.allocate(pendingBytes.remaining() + bytes.length);
      in.put(pendingBytes).put(bytes).flip();
    } else {
      in = ByteBuffer.wrap(bytes);
    }
    CharBuffer out = CharBuffer.allocate(bytes.length + 4);
    decoder.decode(in, out, false);
    out.flip();
    pendingBytes = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
    feed(out);
  }

  /** Feeds already decoded text. */
  public void feed(CharSequence chars) {
    for (int i = 0; i < chars.length(); i++) {
      char c = chars.charAt(i);
      if (!started) {
        started = true;
        if (c == '\uFEFF') {
          continue;
        }
      }
      if (c == '\n') {
        if (!lastWasCr) {
          endLine();
        }
        lastWasCr = false;
      } else if (c == '\r') {
        endLine();
        lastWasCr = true;
      } else {
        lastWasCr = false;
        if (line.length() + data.length() >= maxEventChars) {
          throw new IllegalStateException("SSE event larger than " + maxEventChars + " characters");
        }
        line.append(c);
      }
    }
  }

  private void endLine() {
    if (line.length() == 0) {
      dispatch();
      return;
    }
    if (line.charAt(0) == ':') {
      line.setLength(0);
      return;
    }
    int colon = line.indexOf(":");
    String field;
    String value;
    if (colon < 0) {
      field = line.toString();
      value = "";
    } else {
      field = line.substring(0, colon);
      int start = colon + 1;
      if (start < line.length() && line.charAt(start) == ' ') {
        start++;
      }
      value = line.substring(start);
    }
    line.setLength(0);
    switch (field) {
      case "event" -> eventType = value;
      case "data" -> {
        if (dataSeen) {
          data.append('\n');
        }
        data.append(value);
        dataSeen = true;
      }
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastEventId = value;
        }
      }
      case "retry" -> {
        if (!value.isEmpty() && value.length() <= 18 && value.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
          onRetry.accept(Long.parseLong(value));
        }
      }
      default -> {
        // unknown fields are ignored, as the WHATWG rules require
      }
    }
  }

  private void dispatch() {
    if (dataSeen) {
      SseEvent event = new SseEvent(lastEventId, eventType, data.toString());
      reset();
      onEvent.accept(event);
    } else {
      reset();
    }
  }

  private void reset() {
    data.setLength(0);
    dataSeen = false;
    eventType = "";
  }
}
