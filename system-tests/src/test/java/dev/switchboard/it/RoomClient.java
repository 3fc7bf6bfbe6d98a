package dev.switchboard.it;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * A well-behaved room member over one WebSocket: collects room messages (by seq), acks (by id) and
 * {@code joined} confirmations; an {@code error} frame fails the test.
 */
final class RoomClient implements AutoCloseable {

  static final Duration SHORT = Duration.ofSeconds(15);

  final WsProbe ws;
  final Map<Long, JsonObject> messages = new LinkedHashMap<>();
  final List<Long> order = new ArrayList<>();
  final Map<Object, Long> acks = new HashMap<>();
  final Map<String, Long> joined = new HashMap<>();

  RoomClient(Vertx vertx, String url) throws Exception {
    ws = WsProbe.connect(vertx, url);
    JsonObject welcome = ws.next(SHORT);
    if (!"welcome".equals(welcome.getString("type"))) {
      throw new AssertionError("expected welcome, got " + welcome);
    }
  }

  /** Joins and waits for the {@code joined} confirmation; returns the seq the member starts after. */
  long join(String room, Long since) throws Exception {
    JsonObject join = new JsonObject().put("type", "join").put("room", room);
    joined.remove(room);
    ws.send(since == null ? join : join.put("since", since));
    until("joined " + room, () -> joined.containsKey(room));
    return joined.get(room);
  }

  void publish(String room, String id, Object data) throws Exception {
    ws.send(new JsonObject().put("type", "publish").put("room", room).put("id", id).put("data", data));
  }

  /** Reads frames until {@code done} holds. */
  void until(String what, BooleanSupplier done) throws Exception {
    long deadline = System.nanoTime() + SHORT.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; acks " + acks.keySet() + ", seqs " + order);
      }
      JsonObject f = ws.next(SHORT);
      switch (f.getString("type")) {
        case "message" -> {
          long seq = f.getLong("seq");
          messages.put(seq, f);
          order.add(seq);
        }
        case "ack" -> acks.put(f.getValue("id"), f.getLong("seq"));
        case "joined" -> joined.put(f.getString("room"), f.getLong("seq"));
        case "error" -> throw new AssertionError("error frame: " + f);
        default -> { }
      }
    }
  }

  /** The ids of the messages received, in arrival order. */
  List<Object> ids() {
    return order.stream().map(s -> messages.get(s).getValue("id")).toList();
  }

  @Override
  public void close() {
    ws.close();
  }
}
