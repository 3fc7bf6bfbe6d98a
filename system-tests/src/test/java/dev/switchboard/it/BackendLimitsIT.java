package dev.switchboard.it;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backend's protective limits (PROTOCOL §3) against a real backend JVM started with small limits:
 * each one answers with its documented close code or status, and the process keeps serving.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BackendLimitsIT {

  private static TestCluster cluster;
  private static TestCluster.Coordinator coordinator;
  private static JvmProcess backend;
  private static String url;

  private static final long HEADER_MS = 1_500;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.unique();
    coordinator = cluster.coordinator("coordinator-limits");
    backend = JvmProcess.start("backend-limits", "switchboard.backend.jar", cluster.args("--instances", "1",
        "--port-base", "0", "--host", "127.0.0.1", "--capacity", "3", "--max-frame-bytes", "1024",
        "--rate", "20", "--burst", "20", "--ping-interval-ms", "500", "--header-timeout-ms", String.valueOf(HEADER_MS)));
    url = backend.awaitLine("switchboard backend \\S+: (ws://\\S+)", TestCluster.START).group(1);
    warmUp();
  }

  /**
   * One exchange before the tests warms both JVMs (JSON here, the WebSocket path there): a raw peer
   * that never answers pings lives only 0.5–1 s on this backend, and a cold first test on a loaded
   * machine took longer than that to send its frame (it saw 1001 "no pong" instead of 1009).
   */
  private static void warmUp() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(url, null)) {
      assertNotNull(ws, "upgrade accepted");
      RawWebSocket.Frame welcome = ws.read();
      if (welcome.opcode() == 1) {
        new JsonObject(welcome.text());
      }
    }
  }

  @Test
  void aSlowlorisUpgradeIsCutAtTheHeaderDeadlineWhileAnUpgradedWebSocketStays() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (WsProbe upgraded = WsProbe.connect(vertx, url)) {
      assertEquals("welcome", upgraded.next(Duration.ofSeconds(5)).getString("type"));
      // three heads trickled a byte every 200 ms: never idle, never complete
      long[] lifetimes = Slowloris.run(URI.create(url).getPort(), 3, 100, 200, HEADER_MS + 8_000);
      System.out.println("backend slowloris sockets closed after " + Arrays.toString(lifetimes) + " ms (header deadline "
          + HEADER_MS + " ms)");
      for (long ms : lifetimes) {
        assertTrue(ms >= HEADER_MS - 100 && ms < HEADER_MS + 3_000, "a slowloris head lived " + ms + " ms");
      }
      // the upgraded connection is far past the deadline, which no longer applies to it
      upgraded.send(new JsonObject().put("type", "echo").put("id", 7).put("data", "still here"));
      JsonObject echo = upgraded.next(Duration.ofSeconds(5));
      assertEquals(new JsonObject().put("type", "echo").put("id", 7).put("data", "still here"), echo);
      assertTrue(upgraded.isOpen(), "the upgraded WebSocket was closed");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (backend != null) {
      backend.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
  }

  private static RawWebSocket open() throws Exception {
    RawWebSocket ws = RawWebSocket.connect(url, null);
    assertNotNull(ws, "upgrade accepted");
    assertEquals("welcome", new JsonObject(ws.read().text()).getString("type"));
    return ws;
  }

  @Test
  void oversizeFrameClosesWith1009() throws Exception {
    try (RawWebSocket ws = open()) {
      ws.sendText("{\"type\":\"echo\",\"id\":1,\"data\":\"" + "x".repeat(2000) + "\"}");
      assertEquals(1009, ws.awaitClose());
    }
  }

  @Test
  void invalidUtf8ClosesWith1007() throws Exception {
    try (RawWebSocket ws = open()) {
      ws.send(1, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
      assertEquals(1007, ws.awaitClose());
    }
  }

  @Test
  void floodingPastTheRateGetsAnErrorThenRepeatedAbuseClosesWith1008() throws Exception {
    try (RawWebSocket ws = open()) {
      for (int i = 0; i < 200; i++) {
        ws.sendText("{\"type\":\"ping\",\"id\":" + i + "}");
      }
      boolean rateLimited = false;
      int pongs = 0;
      while (true) {
        RawWebSocket.Frame f = ws.read();
        if (f.opcode() == 8) {
          assertEquals(1008, f.closeCode());
          break;
        }
        if (f.opcode() == 1) {
          JsonObject msg = new JsonObject(f.text());
          rateLimited |= "rate-limited".equals(msg.getString("code"));
          pongs += "pong".equals(msg.getString("type")) ? 1 : 0;
        }
      }
      assertTrue(rateLimited, "an error frame said rate-limited before the close");
      assertTrue(pongs >= 20 && pongs < 200, "the burst was served, the flood was not: " + pongs + " pongs");
    }
  }

  @Test
  void aFullBackendRefusesTheUpgradeWith503() throws Exception {
    List<RawWebSocket> held = new ArrayList<>();
    try {
      Http.await("room for three connections", Duration.ofSeconds(10), () -> {
        RawWebSocket ws = RawWebSocket.connect(url, null);
        if (ws == null) {
          return false;
        }
        held.add(ws);
        return held.size() == 3;
      });
      String[] status = new String[1];
      assertNull(RawWebSocket.connect(url, status));
      assertTrue(status[0].contains(" 503 "), status[0]);
    } finally {
      for (RawWebSocket ws : held) {
        ws.close();
      }
    }
  }

  @Test
  void aPeerThatNeverAnswersPingsIsClosed() throws Exception {
    try (RawWebSocket ws = open()) {
      boolean pinged = false;
      while (true) {
        RawWebSocket.Frame f = ws.read();
        pinged |= f.opcode() == 9;
        if (f.opcode() == 8) {
          break;
        }
      }
      assertTrue(pinged, "the server pinged before giving up");
    }
  }

  @Test
  void aPeerThatAnswersPingsStaysOpen() throws Exception {
    try (RawWebSocket ws = open()) {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      int pings = 0;
      while (System.nanoTime() < until) {
        RawWebSocket.Frame f = ws.read();
        assertTrue(f.opcode() != 8, "closed although every ping was answered");
        if (f.opcode() == 9) {
          pings++;
          ws.send(10, f.payload());
        }
      }
      assertTrue(pings >= 2, "pinged every 500 ms");
      ws.sendText("{\"type\":\"ping\",\"id\":5}");
      assertEquals("pong", new JsonObject(ws.read().text()).getString("type"));
    }
  }
}
