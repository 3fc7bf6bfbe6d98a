package dev.switchboard.model;

/**
 * Encodes Server-Sent Events in the WHATWG format. Writes LF line ends only and splits multi-line data
 * into several {@code data:} lines, so any reader rebuilds the exact text.
 */
public final class SseWriter {

  private SseWriter() {
  }

  /** One event: optional {@code id:}, optional {@code event:}, the {@code data:} lines, then a blank line. */
  public static String event(String id, String event, String data) {
    StringBuilder sb = new StringBuilder(data.length() + 64);
    if (id != null) {
      sb.append("id: ").append(singleLine("id", id)).append('\n');
    }
    if (event != null) {
      sb.append("event: ").append(singleLine("event", event)).append('\n');
    }
    int start = 0;
    int n = data.length();
    for (int i = 0; i < n; i++) {
      char c = data.charAt(i);
      if (c == '\n' || c == '\r') {
        sb.append("data: ").append(data, start, i).append('\n');
        if (c == '\r' && i + 1 < n && data.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    sb.append("data: ").append(data, start, n).append('\n');
    return sb.append('\n').toString();
  }

  /** A {@code retry:} line telling the reader how long to wait before reconnecting. */
  public static String retry(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("retry must be >= 0, got " + millis);
    }
    return "retry: " + millis + "\n\n";
  }

  /** A comment line, ignored by readers; used as a keep-alive. */
  public static String comment(String text) {
    return ": " + singleLine("comment", text) + "\n\n";
  }

  private static String singleLine(String what, String value) {
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0 && "id".equals(what)) {
      throw new IllegalArgumentException(what + " must be a single line without NUL, got: " + value);
    }
    return value;
  }
}
