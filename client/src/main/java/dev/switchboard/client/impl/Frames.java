package dev.switchboard.client.impl;

import dev.switchboard.client.MoveHint;
import dev.switchboard.client.Rtt;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads a backend's frames and hands each to the part of the pool it concerns; bad ones are logged and dropped. */
final class Frames {

  private static final Logger log = LoggerFactory.getLogger(Frames.class);

  private Frames() {
  }

  static void onFrame(Pool pool, Connection c, String text) {
    long now = pool.clock.now();
    c.heardAt = now;
    JsonObject m;
    try {
      m = new JsonObject(text);
    } catch (RuntimeException e) { // DecodeException, or a JSON value that is not an object
      log.warn("ignoring a malformed frame from {}", c.backend.id());
      return;
    }
    if (!(m.getValue("type") instanceof String type)) {
      log.warn("ignoring a frame without a type from {}", c.backend.id());
      return;
    }
    try {
      switch (type) {
        case "welcome" -> pool.onWelcome(c, m.getValue("heartbeatMs"));
        case "pong" -> {
          double rtt = c.pong(m.getValue("id"), now);
          if (rtt >= 0) {
            Listeners.emit(pool.on.rtts, new Rtt(c.backend, rtt));
          }
        }
        case "joined" -> pool.rooms.onJoined(c, m.getString("room"), m.getLong("seq"));
        case "message" -> {
          if (pool.rooms.onMessage(m.getString("room"), m.getLong("seq"))) {
            Listeners.emit(pool.on.messages, m);
          }
        }
        case "ack" -> pool.rooms.onAck(m.getValue("id"), m.getLong("seq"));
        case "error" -> {
          pool.rooms.onError(c, m);
          Listeners.emit(pool.on.messages, m);
        }
        case "drain" -> {
          MoveHint hint = MoveHint.of(m);
          // a random moment within half the deadline, so a drained backend causes no stampede
          long delay = (long) (pool.random() * hint.deadlineMs() / 2);
          pool.clock.setTimer(Math.max(1, delay), () -> pool.moveAway(c, hint));
        }
        default -> Listeners.emit(pool.on.messages, m);
      }
    } catch (ClassCastException e) {
      log.warn("ignoring a frame with a mistyped field from {}: {}", c.backend.id(), e.getMessage());
    }
  }
}
