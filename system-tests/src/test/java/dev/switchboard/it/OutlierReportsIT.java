package dev.switchboard.it;

import dev.switchboard.model.SseEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outlier detection gathered from clients: a backend that distinct clients report unreachable leaves
 * every coordinator's list for a quarantine, then returns; one client alone cannot evict it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OutlierReportsIT {

  private static final Duration SHORT = Duration.ofSeconds(15);

  private static TestCluster cluster;
  private static TestCluster.Coordinator coordinator;
  private static TestCluster.Coordinator other;
  private static TestCluster.BackendNode node;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.unique();
    coordinator = cluster.coordinator("coordinator-reports", "--report-threshold", "3", "--quarantine-ms", "2000");
    other = cluster.coordinator("coordinator-reports-2", "--report-threshold", "3", "--quarantine-ms", "2000");
    node = cluster.backendNode("backend-reports", 2);
    vertx = Vertx.vertx();
    Http.await("both backends listed", SHORT, () -> Http.getJson(coordinator.base() + "/v1/backends")
        .getJsonArray("backends").size() == 2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : new AutoCloseable[] {node, other, coordinator}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /**
   * POSTs a report from a given 127.0.0.x source address, as a client on that machine would; a raw
   * socket bound to the address, so the source is certain. Returns the status; checks the echoed reporter.
   */
  private static int report(String backend, String from) throws Exception {
    URI uri = URI.create(coordinator.base());
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
      socket.setSoTimeout(10_000);
      String body = "{\"reason\":\"connect-failed\"}";
      socket.getOutputStream().write(("POST /v1/backends/" + backend + "/reports HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
          .getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int status = Integer.parseInt(response.substring(9, 12));
      if (status == 202) {
        assertEquals(from, new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4)).getString("reporter"));
      }
      return status;
    }
  }

  private static int reporters(String backend) throws Exception {
    return Http.getJson(coordinator.base() + "/v1/backends/" + backend + "/reports").getInteger("reporters");
  }

  @Test
  void threeClientsReportingABackendTakeItOffEveryListUntilItsQuarantineEnds() throws Exception {
    String id = node.ids().get(0);
    try (SseProbe onFirst = SseProbe.open(vertx, coordinator.base() + "/v1/backends/stream", null);
         SseProbe onOther = SseProbe.open(vertx, other.base() + "/v1/backends/stream", null)) {
      for (String from : new String[] {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
        assertEquals(202, report(id, from));
      }
      for (SseProbe probe : new SseProbe[] {onFirst, onOther}) {
        SseEvent removed = probe.awaitEvent(e -> e.event().equals("remove")
            && new JsonObject(e.data()).getString("id").equals(id), SHORT);
        assertEquals("unreachable", new JsonObject(removed.data()).getString("reason"));
      }
      onFirst.awaitEvent(e -> e.event().equals("upsert") && new JsonObject(e.data()).getString("id").equals(id), SHORT);
      onOther.awaitEvent(e -> e.event().equals("upsert") && new JsonObject(e.data()).getString("id").equals(id), SHORT);
    }
  }

  @Test
  void oneClientReportingOverAndOverCannotEvictABackend() throws Exception {
    String id = node.ids().get(1);
    for (int i = 0; i < 10; i++) {
      assertEquals(202, report(id, "127.0.0.9"));
    }
    Http.await("the reports to be counted", SHORT, () -> reporters(id) == 1);
    assertTrue(Http.getJson(coordinator.base() + "/v1/backends").encode().contains("\"" + id + "\""),
        "still listed: one client counts once");
  }

  @Test
  void reportsOfUnknownBackendsAre404() throws Exception {
    assertEquals(404, report("no-such-backend", "127.0.0.5"));
  }
}
