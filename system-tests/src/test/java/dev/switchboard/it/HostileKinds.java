package dev.switchboard.it;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hostile WebSocket clients of {@link HostileClientsIT}, each on a blocking {@link RawWebSocket}
 * that the caller registers in {@code opened} (so it is closed at the end whatever happens), each
 * checking the answers it gets.
 */
final class HostileKinds {

  /** What one squatter's joins were answered with. */
  record Squat(int joined, int connectionCap, int nodeCap) {
  }

  private final String url;
  private final List<RawWebSocket> opened;

  HostileKinds(String url, List<RawWebSocket> opened) {
    this.url = url;
    this.opened = opened;
  }

  /** Connects and registers the socket for the final clean-up; reads the welcome. */
  RawWebSocket connect(int receiveBufferBytes) throws IOException {
    RawWebSocket ws = RawWebSocket.connect(url, null, receiveBufferBytes);
    assertNotNull(ws, "upgrade refused");
    synchronized (opened) {
      opened.add(ws);
    }
    assertEquals("welcome", text(ws).getString("type"));
    return ws;
  }

  /**
   * Joins {@code names} distinct rooms, one every {@code paceMs}, each answer read before the next
   * join: the connection stays open with whatever it was given.
   */
  Squat squat(int squatter, int names, long paceMs) throws Exception {
    RawWebSocket ws = connect(0);
    int joined = 0;
    int connectionCap = 0;
    int nodeCap = 0;
    for (int i = 0; i < names; i++) {
      ws.sendText("{\"type\":\"join\",\"room\":\"sq-" + squatter + "-" + i + "\"}");
      JsonObject f = text(ws);
      if ("joined".equals(f.getString("type"))) {
        joined++;
      } else {
        assertEquals("too-many-rooms", f.getString("code"), f.encode());
        assertEquals("sq-" + squatter + "-" + i, f.getString("room"), "the error names its room: " + f.encode());
        assertNull(f.getValue("id"));
        if (f.getString("message").startsWith("connection cap")) {
          connectionCap++;
        } else {
          assertTrue(f.getString("message").startsWith("node cap"), f.encode());
          nodeCap++;
        }
      }
      Thread.sleep(paceMs);
    }
    return new Squat(joined, connectionCap, nodeCap);
  }

  /** {@code pings} pings at once: returns {rate-limited seen (1/0), close code}. */
  int[] flood(int pings) throws IOException {
    RawWebSocket ws = connect(0);
    for (int i = 0; i < pings; i++) {
      try {
        ws.sendText("{\"type\":\"ping\",\"id\":" + i + "}");
      } catch (IOException e) {
        break; // closed under us: the close frame is still to be read
      }
    }
    int rateLimited = 0;
    while (true) {
      RawWebSocket.Frame f = ws.read();
      if (f.opcode() == 8) {
        return new int[] {rateLimited, f.closeCode()};
      }
      if (f.opcode() == 1 && "rate-limited".equals(new JsonObject(f.text()).getString("code"))) {
        rateLimited = 1;
      }
    }
  }

  /** A member of {@code room} with a tiny receive buffer that never reads again; returns its session id. */
  String neverReader(RawWebSocket[] socket, String room) throws IOException {
    RawWebSocket ws = RawWebSocket.connect(url, null, 4_096);
    assertNotNull(ws, "upgrade refused");
    synchronized (opened) {
      opened.add(ws);
    }
    socket[0] = ws;
    String session = text(ws).getString("session");
    ws.sendText("{\"type\":\"join\",\"room\":\"" + room + "\"}");
    assertEquals("joined", text(ws).getString("type"));
    return session;
  }

  /**
   * Malformed and fragmented frames that are answered and leave the connection open: not JSON, a binary
   * frame, a negative since, an echo in three fragments; a ping then gets its pong and nothing else.
   */
  void malformedButAnswered(int k) throws Exception {
    RawWebSocket ws = connect(0);
    ws.sendText("not json " + k);
    assertEquals("bad-json", text(ws).getString("code"));
    ws.send(2, new byte[] {1, 2, 3});
    assertEquals("bad-message", text(ws).getString("code"));
    ws.sendText("{\"type\":\"join\",\"room\":\"neg\",\"since\":-5}");
    JsonObject negative = text(ws);
    assertEquals("bad-message", negative.getString("code"));
    assertEquals("neg", negative.getString("room"), "the error names the room of the failed join");
    ws.sendFrame(1, bytes("{\"type\":\"ec"), false);
    ws.sendFrame(0, bytes("ho\",\"id\":" + k + ",\"da"), false);
    ws.sendFrame(0, bytes("ta\":\"frag\"}"), true);
    assertEquals(new JsonObject().put("type", "echo").put("id", k).put("data", "frag"), text(ws));
    ws.sendText("{\"type\":\"ping\",\"id\":9}");
    assertEquals("pong", text(ws).getString("type"), "nothing else came first");
  }

  /** Connects, sends frames the backend must close on (kind 0, 1 or 2), and returns the close code. */
  int malformedAndClosed(int kind) throws IOException {
    RawWebSocket ws = connect(0);
    switch (kind) {
      case 0 -> ws.sendFrame(0, bytes("{}"), true); // a continuation without a start
      case 1 -> { // fragments adding up past the message limit
        ws.sendFrame(1, bytes("{\"type\":\"echo\",\"id\":1,\"data\":\"" + "x".repeat(30_000)), false);
        ws.sendFrame(0, bytes("y".repeat(30_000)), false);
        ws.sendFrame(0, bytes("z".repeat(30_000) + "\"}"), true);
      }
      default -> { // invalid UTF-8 split across fragments
        ws.sendFrame(1, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3}, false);
        ws.sendFrame(0, new byte[] {0x28, '"', '}'}, true);
      }
    }
    return ws.awaitClose();
  }

  /** The close code each {@link #malformedAndClosed} kind must get. */
  static boolean expectedClose(int kind, int code) {
    return switch (kind) {
      // Netty rejects a stray continuation before our assembler sees it, and Vert.x closes with 1000, not 1002
      case 0 -> code == 1000 || code == 1002;
      case 1 -> code == 1009;
      default -> code == 1007;
    };
  }

  /**
   * The detailed frame checks on one connection: errors name their room, a join in three fragments, ids
   * 7 and "7" are two messages, a repeated join replays nothing. Uses the room {@code junk}, left at the end.
   */
  void typedIdsAndRepeatedJoin() throws Exception {
    RawWebSocket ws = connect(0);
    ws.sendFrame(1, bytes("{\"type\":\"jo"), false);
    ws.sendFrame(0, bytes("in\",\"room\":\"ju"), false);
    ws.sendFrame(0, bytes("nk\"}"), true);
    assertEquals(new JsonObject().put("type", "joined").put("room", "junk").put("seq", -1), text(ws));
    ws.sendText("{\"type\":\"publish\",\"room\":\"junk\",\"id\":7,\"data\":\"number\"}");
    ws.sendText("{\"type\":\"publish\",\"room\":\"junk\",\"id\":\"7\",\"data\":\"text\"}");
    List<JsonObject> acks = new ArrayList<>();
    List<JsonObject> messages = new ArrayList<>();
    while (acks.size() < 2 || messages.size() < 2) {
      JsonObject f = text(ws);
      (f.getString("type").equals("ack") ? acks : messages).add(f);
    }
    Set<Object> ackedIds = acks.stream().map(a -> a.getValue("id")).collect(Collectors.toSet());
    assertEquals(Set.of(7, "7"), ackedIds, "7 and \"7\" are two messages");
    assertNotEquals(acks.get(0).getLong("seq"), acks.get(1).getLong("seq"));
    ws.sendText("{\"type\":\"join\",\"room\":\"junk\",\"since\":-1}");
    assertEquals(new JsonObject().put("type", "joined").put("room", "junk").put("seq", 1), text(ws),
        "a repeated join answers the position and replays nothing");
    ws.sendText("{\"type\":\"leave\",\"room\":\"junk\"}");
    ws.sendText("{\"type\":\"ping\",\"id\":9}");
    assertEquals("pong", text(ws).getString("type"), "nothing else came first");
  }

  /** Publishes to {@code count} fresh rooms, one every {@code paceMs}; returns how many were refused (and checks how). */
  int publishToFreshRooms(int count, long paceMs) throws Exception {
    RawWebSocket ws = connect(0);
    int refused = 0;
    for (int i = 0; i < count; i++) {
      ws.sendText("{\"type\":\"publish\",\"room\":\"pub-" + i + "\",\"id\":\"p-" + i + "\",\"data\":0}");
      JsonObject f = text(ws);
      if ("error".equals(f.getString("type"))) {
        assertEquals("too-many-rooms", f.getString("code"), f.encode());
        assertEquals("pub-" + i, f.getString("room"));
        assertEquals("p-" + i, f.getString("id"));
        refused++;
      }
      Thread.sleep(paceMs);
    }
    return refused;
  }

  /** The next text frame, as JSON. */
  static JsonObject text(RawWebSocket ws) throws IOException {
    while (true) {
      RawWebSocket.Frame f = ws.read();
      if (f.opcode() == 1) {
        return new JsonObject(f.text());
      }
      if (f.opcode() == 8) {
        throw new AssertionError("closed with " + f.closeCode() + " while a text frame was expected");
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
