package dev.switchboard.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw sockets against a guarded server: JSON refusals before routing, and the request-head deadline. */
class HttpGuardTest {

  private static final long HEADER_TIMEOUT_MS = 400;

  private final Vertx vertx = Vertx.vertx();
  private int port;

  @BeforeEach
  void start() throws Exception {
    port = HttpGuard.guard(vertx, vertx.createHttpServer(HttpGuard.options(new HttpServerOptions(), 0)), HEADER_TIMEOUT_MS,
            req -> {
              long delay = req.path().equals("/slow") ? 3 * HEADER_TIMEOUT_MS : 1;
              vertx.setTimer(delay, id -> req.response().end("ok"));
            })
        .listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Sends {@code request} and reads until the server closes the connection. */
  private String exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void assertJsonRefusal(int status, String response) {
    assertTrue(response.startsWith("HTTP/1.") && response.substring(9, 12).equals(String.valueOf(status)), response);
    assertTrue(response.toLowerCase().contains("content-type: application/json"), response);
    JsonObject body = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
    assertTrue(body.getString("error").length() > 0, response);
  }

  @Test
  void aRequestLineTooLongIs414WithAJsonBody() throws Exception {
    assertJsonRefusal(414, exchange("GET /?q=" + "a".repeat(HttpGuard.MAX_INITIAL_LINE_LENGTH) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  }

  @Test
  void headersTooLargeAre431WithAJsonBody() throws Exception {
    assertJsonRefusal(431, exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(HttpGuard.MAX_HEADER_SIZE) + "\r\n\r\n"));
  }

  @Test
  void aMalformedRequestIs400WithAJsonBody() throws Exception {
    assertJsonRefusal(400, exchange("GARBAGE\r\n\r\n"));
  }

  @Test
  void aConnectionTricklingItsHeadersIsClosedAtTheDeadlineThoughItIsNeverIdle() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      long start = System.nanoTime();
      out.write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      long closedAfterMs = -1;
      try {
        for (int i = 0; i < 100 && closedAfterMs < 0; i++) {
          out.write('X');
          out.flush();
          TimeUnit.MILLISECONDS.sleep(50);
          if (socket.getInputStream().available() == 0 && isClosed(socket)) {
            closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          }
        }
      } catch (SocketException e) { // reset while writing: closed
        closedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      }
      assertTrue(closedAfterMs >= HEADER_TIMEOUT_MS - 50 && closedAfterMs < 3_000, "closed after " + closedAfterMs + " ms");
    }
  }

  /** True when the peer closed: a read returns end of stream (with a short timeout so a live socket answers quickly). */
  private static boolean isClosed(Socket socket) throws IOException {
    int timeout = socket.getSoTimeout();
    socket.setSoTimeout(1);
    try {
      return socket.getInputStream().read() < 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } finally {
      socket.setSoTimeout(timeout);
    }
  }

  @Test
  void aKeptAliveConnectionGetsTheDeadlineAgainAfterEachResponseButARequestBeingServedIsNotCut() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] buffer = new byte[1024];
      int n = in.read(buffer);
      String first = new String(buffer, 0, n, StandardCharsets.US_ASCII);
      assertTrue(first.startsWith("HTTP/1.1 200") && first.endsWith("ok"), "served after 3x the deadline: " + first);
      long start = System.nanoTime();
      assertEquals(-1, in.read(), "closed: no next request head within the deadline");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(ms >= HEADER_TIMEOUT_MS - 50 && ms < 3_000, "closed after " + ms + " ms");
    }
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    int idlePort = HttpGuard.guard(vertx, vertx.createHttpServer(HttpGuard.options(new HttpServerOptions(), 300)), 0,
        req -> req.response().end("ok")).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    try (Socket socket = new Socket("127.0.0.1", idlePort)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1024];
      assertTrue(new String(buffer, 0, in.read(buffer), StandardCharsets.US_ASCII).endsWith("ok"));
      long start = System.nanoTime();
      assertEquals(-1, in.read(), "closed when idle");
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(ms >= 250 && ms < 3_000, "closed after " + ms + " ms");
    }
  }
}
