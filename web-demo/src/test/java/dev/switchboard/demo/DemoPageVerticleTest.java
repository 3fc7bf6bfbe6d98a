package dev.switchboard.demo;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo page server against what a hostile page can send: the token is in the served page only,
 * never in /config.json; a Host header that is not one of its names (DNS rebinding) gets 421 and
 * nothing else; six parallel node starts with the token get four 201s and two 409s.
 */
class DemoPageVerticleTest {

  private static final String TOKEN = "0123456789abcdef0123456789abcdef";

  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger spawned = new AtomicInteger();
  private final List<Process> processes = new ArrayList<>();
  private final DemoNodes nodes = new DemoNodes(() -> {
    spawned.incrementAndGet();
    TimeUnit.MILLISECONDS.sleep(300); // a JVM takes a while to start: the requests overlap
    Process process = new ProcessBuilder("sleep", "60").start();
    synchronized (processes) {
      processes.add(process);
    }
    return new DemoNodes.Node(process, "node-" + process.pid());
  });
  private int port;

  @BeforeEach
  void start() throws Exception {
    DemoPageVerticle page = new DemoPageVerticle("127.0.0.1", 0, List.of("http://127.0.0.1:8080"),
        new JsonObject().put("token", TOKEN).put("node", "n1"), nodes);
    vertx.deployVerticle(page).await(30, TimeUnit.SECONDS);
    port = page.actualPort();
  }

  @AfterEach
  void close() throws Exception {
    nodes.killAll();
    synchronized (processes) {
      processes.forEach(Process::destroyForcibly);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** One request over a raw socket (so the Host header is ours to choose); returns status line, headers and body. */
  private String request(String method, String path, String host, String... headers) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      if (host != null) {
        head.append("Host: ").append(host).append("\r\n");
      }
      for (String h : headers) {
        head.append(h).append("\r\n");
      }
      head.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
      socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
  }

  private static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  @Test
  void theTokenIsInTheServedPageOnlyAndNeverInConfigJson() throws Exception {
    String config = request("GET", "/config.json", "127.0.0.1:" + port);
    assertEquals(200, status(config));
    assertFalse(config.contains(TOKEN), config);
    assertEquals("http://127.0.0.1:8080", new JsonObject(body(config)).getJsonArray("coordinators").getString(0));
    for (String host : List.of("localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "LOCALHOST:" + port)) {
      String page = request("GET", "/", host);
      assertEquals(200, status(page), host);
      assertTrue(page.contains("content=\"{&quot;token&quot;:&quot;" + TOKEN + "&quot;"), page);
      assertTrue(page.toLowerCase().contains("x-frame-options: deny"), page);
      assertTrue(page.toLowerCase().contains("cache-control: no-store"), page);
    }
  }

  @Test
  void aForeignHostGets421AndNoToken() throws Exception {
    for (String host : List.of("evil.example:" + port, "evil.example", "localhost:1", "127.0.0.1", "localhost.evil.example:" + port)) {
      for (String path : List.of("/", "/index.html", "/config.json", "/demo/nodes", "/switchboard.js")) {
        String response = request("GET", path, host, "Authorization: Bearer " + TOKEN);
        assertEquals(421, status(response), host + " " + path + ": " + response);
        assertFalse(response.contains(TOKEN), response);
        assertTrue(new JsonObject(body(response)).getString("error").contains("localhost:" + port), response);
      }
    }
    String noHost = request("GET", "/", null); // HTTP/1.1 without Host: Vert.x refuses it before we see it
    assertEquals(400, status(noHost), noHost);
    assertFalse(noHost.contains(TOKEN), noHost);
    assertTrue(new JsonObject(body(noHost)).containsKey("error"), noHost);
  }

  @Test
  void sixParallelNodeStartsStartFourAndRefuseTwo() throws Exception {
    List<CompletableFuture<Integer>> posts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      posts.add(CompletableFuture.supplyAsync(() -> {
        try {
          return status(request("POST", "/demo/nodes", "127.0.0.1:" + port, "Authorization: Bearer " + TOKEN));
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<Integer> p : posts) {
      statuses.add(p.get(30, TimeUnit.SECONDS));
    }
    assertEquals(4, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
    assertEquals(2, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
    assertEquals(4, spawned.get());
  }

  @Test
  void unknownPathsAndMissingTokensAreJsonErrors() throws Exception {
    String missing = request("GET", "/no-such-file.js", "localhost:" + port);
    assertEquals(404, status(missing), missing);
    assertTrue(new JsonObject(body(missing)).containsKey("error"), missing);
    String unauthorized = request("POST", "/demo/nodes", "localhost:" + port);
    assertEquals(401, status(unauthorized), unauthorized);
    assertTrue(new JsonObject(body(unauthorized)).containsKey("error"), unauthorized);
    assertEquals(0, spawned.get());
  }
}
