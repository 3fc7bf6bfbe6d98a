package dev.switchboard.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The coordinator's HTTP surface against hostile input, on a real coordinator JVM with small timeouts:
 * every refusal is a 4xx with a JSON body (bad percent-encoding, 413, 414, 431, bad scale bodies) and
 * none is a 500 or an ERROR log; a slowloris head is cut at the header deadline while a quiet SSE
 * stream outlives the idle timeout on its keep-alives; admin calls leave an audit line.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ControlSurfacesIT {

  private static final String TOKEN = "control-surfaces-token";
  private static final long IDLE_MS = 2_000;
  private static final long KEEP_ALIVE_MS = 500;
  private static final long HEADER_MS = 1_500;

  private static TestCluster.Coordinator coordinator;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    coordinator = TestCluster.unique().coordinator("coordinator-control", "--admin-token", TOKEN,
        "--idle-timeout-ms", String.valueOf(IDLE_MS), "--keep-alive-ms", String.valueOf(KEEP_ALIVE_MS),
        "--header-timeout-ms", String.valueOf(HEADER_MS));
    port = URI.create(coordinator.base()).getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (coordinator != null) {
      coordinator.close();
    }
  }

  /** A response read off a raw socket. */
  private record Response(int status, String head, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  /** Sends {@code request} as is (Connection: close is the caller's) and reads to the end of the stream. */
  private static Response raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      assertTrue(split > 0, "no HTTP response: " + text);
      return new Response(Integer.parseInt(text.substring(9, 12)), text.substring(0, split), text.substring(split + 4));
    }
  }

  private static Response get(String target, String... headers) throws IOException {
    return raw("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + String.join("", headers) + "Connection: close\r\n\r\n");
  }

  private static Response post(String target, String body, String... headers) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return raw("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + String.join("", headers)
        + "Content-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n" + body);
  }

  private static void assertJsonError(int status, Response response, String what) {
    assertEquals(status, response.status(), what + ": " + response.head() + "\n" + response.body());
    assertTrue(response.head().toLowerCase().contains("content-type: application/json"), what + ": " + response.head());
    assertTrue(!response.json().getString("error", "").isEmpty(), what + ": " + response.body());
  }

  private static final String AUTH = "Authorization: Bearer " + TOKEN + "\r\n";

  @Test
  void badPercentEncodingAnywhereIsA400WithAJsonBodyAndNoErrorLog() throws Exception {
    long errorsBefore = coordinator.process().count(" ERROR ");
    long exceptionsBefore = coordinator.process().count("Exception");
    for (String target : List.of("/v1/backends?service=%zz", "/v1/backends?%zz=1", "/v1/backends?service=chat&x=%",
        "/v1/backends/stream?service=%zz", "/v1/backends/stream?lastEventId=%zz", "/v1/backends/%zz/reports",
        "/health/ready?%zz", "/metrics?q=%zz", "/v1/%zz")) {
      assertJsonError(400, get(target), "GET " + target);
    }
    assertJsonError(400, post("/v1/backends/%zz/reports", "{}"), "POST reports with %zz");
    assertJsonError(400, post("/v1/admin/backends/%zz/drain", "", AUTH), "admin drain with %zz");
    assertJsonError(400, post("/v1/admin/nodes/n/scale?x=%zz", "{\"instances\":1}", AUTH), "admin scale with %zz");
    Http.await("the coordinator to stay quiet", Duration.ofSeconds(2), () -> true);
    assertEquals(errorsBefore, coordinator.process().count(" ERROR "), "no ERROR line for a client's mistake");
    assertEquals(exceptionsBefore, coordinator.process().count("Exception"), "no stack trace");
  }

  @Test
  void tooLargeBodiesUrisAndHeadersAre413414And431WithJsonBodies() throws Exception {
    assertJsonError(413, post("/v1/backends/some-backend/reports", "{\"reason\":\"" + "x".repeat(2_000) + "\"}"), "report body > 1 KiB");
    assertJsonError(413, post("/v1/admin/nodes/n/scale", "{\"instances\":1,\"pad\":\"" + "x".repeat(5_000) + "\"}", AUTH),
        "admin body > 4 KiB");
    assertJsonError(414, get("/v1/backends?service=" + "a".repeat(5_000)), "request line > 4 KiB");
    assertJsonError(431, get("/v1/backends", "X-Padding: " + "a".repeat(9_000) + "\r\n"), "headers > 8 KiB");
    assertJsonError(400, raw("NOT HTTP AT ALL\r\n\r\n"), "garbage");
    assertJsonError(404, get("/no/such/path"), "unknown path");
    assertJsonError(405, raw("DELETE /v1/backends HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), "wrong method");
    assertJsonError(401, post("/v1/admin/nodes/n/scale", "{\"instances\":1}"), "no token");
  }

  @Test
  void scaleTakesJsonIntegersOnlyAndEveryAdminCallIsAudited() throws Exception {
    for (String body : List.of("{\"instances\":1.5}", "{\"instances\":1e2}", "{\"instances\":3.0}", "{\"instances\":\"3\"}",
        "{\"instances\":-1}", "{\"instances\":1001}", "{\"instances\":10000000000}", "{\"instances\":null}", "{}", "",
        "[3]", "not json", "{\"instances\":[3]}")) {
      assertJsonError(400, post("/v1/admin/nodes/no-such-node/scale", body, AUTH), "scale body " + body);
    }
    // a JSON integer passes validation; a short id that is no node's id nor a prefix of one is 404 at once
    assertJsonError(404, post("/v1/admin/nodes/no-such-node/scale", "{\"instances\":3}", AUTH), "scale of an unknown node");
    coordinator.process().awaitLine("audit - admin POST /v1/admin/nodes/no-such-node/scale from \\S*127\\.0\\.0\\.1:\\d+ "
        + "\\(token ok\\): 404 in", Duration.ofSeconds(10));
    // a full-length id is forwarded (a node scaled to 0 hosts no record) and the absent node's 404 comes back
    String absent = "00000000-0000-4000-8000-000000000000";
    assertJsonError(404, post("/v1/admin/nodes/" + absent + "/scale", "{\"instances\":3}", AUTH), "scale of an absent node");
    coordinator.process().awaitLine("audit - admin POST /v1/admin/nodes/" + absent + "/scale from \\S*127\\.0\\.0\\.1:\\d+ "
        + "\\(token ok\\): 404, sent \\{\"op\":\"scale\",\"instances\":3\\} to node " + absent, Duration.ofSeconds(10));
    coordinator.process().awaitLine("audit - admin POST /v1/admin/nodes/no-such-node/scale from \\S*127\\.0\\.0\\.1:\\d+ "
        + "\\(token ok\\): 400", Duration.ofSeconds(10));
    post("/v1/admin/nodes/no-such-node/scale", "{\"instances\":3}", "Authorization: Bearer wrong\r\n");
    coordinator.process().awaitLine("WARN audit - admin POST /v1/admin/nodes/no-such-node/scale from \\S*127\\.0\\.0\\.1:\\d+ "
        + "\\(no valid token\\): 401", Duration.ofSeconds(10));
  }

  @Test
  void aSlowlorisHeadIsCutAtTheHeaderDeadlineThoughItIsNeverIdle() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(200);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      long start = System.nanoTime();
      out.write("GET /v1/backends HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
      long closedAfterMs = -1;
      // one header byte every 200 ms: far more often than the idle timeout, never a complete head
      for (int i = 0; i < 100 && closedAfterMs < 0; i++) {
        try {
          out.write('X');
          out.flush();
          if (in.read() < 0) {
            closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          }
        } catch (SocketTimeoutException stillOpen) {
          // nothing to read yet: the connection is still open
        } catch (SocketException reset) {
          closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
      }
      System.out.println("slowloris socket closed after " + closedAfterMs + " ms (header deadline " + HEADER_MS + " ms)");
      assertTrue(closedAfterMs >= HEADER_MS - 100 && closedAfterMs < HEADER_MS + 3_000, "closed after " + closedAfterMs + " ms");
    }
  }

  @Test
  void aQuietSseStreamOutlivesTheIdleTimeoutOnItsKeepAlives() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) IDLE_MS * 2);
      socket.getOutputStream().write("GET /v1/backends/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      byte[] buffer = new byte[4096];
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * IDLE_MS);
      while (System.nanoTime() < end) {
        int n = in.read(buffer);
        assertTrue(n > 0, "the stream ended after " + seen.length() + " bytes: " + seen);
        seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
      }
      String text = seen.toString();
      assertTrue(text.startsWith("HTTP/1.1 200"), text);
      assertTrue(text.contains("event: snapshot"), text);
      long keepAlives = text.lines().filter(l -> l.equals(": keep-alive")).count();
      assertTrue(keepAlives >= 3 * IDLE_MS / KEEP_ALIVE_MS - 3, keepAlives + " keep-alives in " + 3 * IDLE_MS + " ms: " + text);
    }
  }

  @Test
  void anIdleTimeoutNotAboveTheKeepAliveIsRefusedAtStart() throws Exception {
    try (JvmProcess refused = JvmProcess.start("coordinator-bad-idle", "switchboard.coordinator.jar",
        TestCluster.unique().args("--port", "0", "--idle-timeout-ms", "10000", "--keep-alive-ms", "15000"))) {
      refused.awaitLine("error: idleTimeoutMs \\(10000\\) must exceed keepAliveMs \\(15000\\)", Duration.ofSeconds(60));
    }
  }
}
