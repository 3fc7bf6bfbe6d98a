package dev.switchboard.model;

/**
 * One Server-Sent Event as dispatched to a reader: {@code event} is {@code "message"} when the stream
 * named none, {@code id} is the last event id in force (may be empty), {@code data} has its lines
 * joined by LF.
 */
public record SseEvent(String id, String event, String data) {

  public SseEvent {
    if (event == null || event.isEmpty()) {
      event = "message";
    }
    if (data == null) {
      data = "";
    }
  }
}
