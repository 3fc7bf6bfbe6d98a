package dev.switchboard.it;

import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.demo.DemoPageVerticle;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.SseEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outlier detection gathered from clients: distinct clients reporting a backend get each coordinator to
 * probe it itself; one whose port is closed leaves every list for a quarantine, then returns; a
 * healthy one stays listed however many report it; one client alone cannot even get a probe.
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

  private static boolean is(SseEvent e, String type, String id) {
    return e.event().equals(type) && id.equals(new JsonObject(e.data()).getString("id"));
  }

  private static boolean listed(TestCluster.Coordinator c, String id) throws Exception {
    return Http.getJson(c.base() + "/v1/backends").encode().contains("\"id\":\"" + id + "\"");
  }

  @Test
  void threeClientsReportingAHealthyBackendDoNotTakeItOffAnyList() throws Exception {
    String id = node.ids().get(0);
    try (SseProbe onFirst = SseProbe.open(vertx, coordinator.base() + "/v1/backends/stream", null);
         SseProbe onOther = SseProbe.open(vertx, other.base() + "/v1/backends/stream", null)) {
      long answeredBefore = coordinator.process().count("backend " + id + " answered this coordinator's probe");
      for (String from : new String[] {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
        assertEquals(202, report(id, from));
      }
      // each coordinator probes it (TCP connect + upgrade to its URL), finds it reachable and clears the reports
      for (TestCluster.Coordinator c : List.of(coordinator, other)) {
        Http.await("the probe to pass on " + c.base(), SHORT,
            () -> c.process().count("backend " + id + " answered this coordinator's probe") > (c == coordinator ? answeredBefore : 0));
        JsonObject reports = Http.getJson(c.base() + "/v1/backends/" + id + "/reports");
        assertEquals(0, reports.getInteger("reporters"), reports.encode());
        assertFalse(reports.getBoolean("quarantined"), reports.encode());
        assertTrue(listed(c, id), "still listed on " + c.base());
      }
      for (SseProbe probe : new SseProbe[] {onFirst, onOther}) {
        assertTrue(probe.collect(Duration.ofMillis(500)).stream().noneMatch(a -> is(a.event(), "remove", id)), "no remove of " + id);
      }
    }
  }

  @Test
  void threeClientsReportingABackendWhosePortIsClosedTakeItOffEveryListUntilItsQuarantineEnds() throws Exception {
    // a registered backend whose port nobody listens on, on a node that keeps heartbeating: only a probe can tell
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ClusterNode testNode = ClusterNode.start(cluster.liteMemberOptions()).await(90, TimeUnit.SECONDS);
    String id = testNode.nodeId().substring(0, 8) + "-closed";
    BackendRecord record = new BackendRecord(id, "chat", "ws://127.0.0.1:" + closedPort + "/ws", testNode.nodeId(), "local",
        BackendState.UP, 0, 100, 100, System.currentTimeMillis());
    long[] seq = {0};
    long heartbeat = testNode.vertx().setPeriodic(0, 500, t -> testNode.vertx().eventBus().publish(ClusterNames.HEARTBEAT_ADDRESS,
        new JsonObject().put("node", testNode.nodeId()).put("backend", id).put("seq", seq[0]++)));
    Map<String, Object> registry = testNode.hazelcast().getMap(ClusterNames.BACKENDS_MAP);
    try (SseProbe onFirst = SseProbe.open(vertx, coordinator.base() + "/v1/backends/stream", null);
         SseProbe onOther = SseProbe.open(vertx, other.base() + "/v1/backends/stream", null)) {
      registry.put(id, record.toJson().encode());
      onFirst.awaitEvent(e -> is(e, "upsert", id), SHORT);
      onOther.awaitEvent(e -> is(e, "upsert", id), SHORT);
      for (String from : new String[] {"127.0.0.2", "127.0.0.3", "127.0.0.4"}) {
        assertEquals(202, report(id, from));
      }
      for (SseProbe probe : new SseProbe[] {onFirst, onOther}) {
        SseEvent removed = probe.awaitEvent(e -> is(e, "remove", id), SHORT);
        assertEquals("unreachable", new JsonObject(removed.data()).getString("reason"));
      }
      coordinator.process().awaitLine("backend " + id + " reported unreachable by 3 clients and this coordinator's probe failed too",
          SHORT);
      // the quarantine (2 s here) ends and it is judged afresh: listed again
      onFirst.awaitEvent(e -> is(e, "upsert", id), SHORT);
      onOther.awaitEvent(e -> is(e, "upsert", id), SHORT);
    } finally {
      testNode.vertx().cancelTimer(heartbeat);
      registry.remove(id);
      testNode.close().await(30, TimeUnit.SECONDS);
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

  /**
   * switchboard.js in headless Chromium, with real WebSockets to the real backends and the list fed by
   * a stand-in EventSource: a remove with reason {@code unreachable} leaves a connection that answers
   * its heartbeats where it is (through unrelated changes too); another remove of it moves the client.
   */
  @Test
  void aBrowserClientKeepsAWorkingConnectionWhenItsBackendIsRemovedAsUnreachable() throws Exception {
    DemoPageVerticle page = new DemoPageVerticle("127.0.0.1", 0, List.of(coordinator.base()));
    vertx.deployVerticle(page).await(30, TimeUnit.SECONDS);
    JsonArray records = new JsonArray(Http.getJson(coordinator.base() + "/v1/backends").getJsonArray("backends").stream()
        .filter(r -> node.ids().contains(((JsonObject) r).getString("id"))).toList());
    try (Browser browser = Browser.start()) {
      browser.open("http://127.0.0.1:" + page.actualPort() + "/config.json");
      Object result = browser.evalAsync("""
          const [records, done] = arguments;
          (async () => {
            const { Switchboard } = await import('/switchboard.js');
            const until = async (what, cond) => {
              const end = Date.now() + 15000;
              while (!cond()) {
                if (Date.now() > end) throw new Error('timed out waiting for ' + what);
                await new Promise((r) => setTimeout(r, 20));
              }
            };
            class FakeEventSource extends EventTarget {
              constructor(url) { super(); FakeEventSource.last = this; this.readyState = 1; }
              close() { this.readyState = 2; }
              emit(type, data, lastEventId) { this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data), lastEventId })); }
            }
            const c = new Switchboard({ coordinators: ['http://coordinator.invalid'], EventSource: FakeEventSource,
              intervalMs: 200, timeoutMs: 1000, fetch: () => Promise.resolve() });
            const failovers = [];
            let pongs = 0;
            c.addEventListener('failover', (e) => failovers.push(e.detail.reason));
            c.addEventListener('rtt', () => pongs++);
            c.start();
            const es = FakeEventSource.last;
            es.emit('snapshot', { backends: records }, 'e-1');
            await until('an open connection', () => c.state === 'open');
            const kept = c.backend.id;
            const other = records.find((r) => r.id !== kept);
            es.emit('remove', { id: kept, reason: 'unreachable' }, 'e-2');
            const afterRemove = pongs;
            await until('5 more pongs', () => pongs >= afterRemove + 5);
            es.emit('upsert', { ...other, connections: 1 }, 'e-3');
            const afterUpsert = pongs;
            await until('5 more pongs', () => pongs >= afterUpsert + 5);
            const stayed = { backend: c.backend?.id, state: c.state, failovers: [...failovers], listed: [...c.backends.keys()] };
            es.emit('remove', { id: kept, reason: 'deregistered' }, 'e-4');
            await until('the client on the other backend', () => c.backend?.id === other.id);
            const moved = { backend: c.backend.id, failovers: [...failovers] };
            c.stop();
            return { kept, other: other.id, stayed, moved };
          })().then(done).catch((e) => done('error: ' + e));
          """, new JsonArray().add(records));
      if (!(result instanceof JsonObject r)) {
        throw new AssertionError(String.valueOf(result));
      }
      JsonObject stayed = r.getJsonObject("stayed");
      assertEquals(r.getString("kept"), stayed.getString("backend"), r.encode());
      assertEquals("open", stayed.getString("state"), r.encode());
      assertEquals(new JsonArray(), stayed.getJsonArray("failovers"), r.encode());
      assertEquals(new JsonArray().add(r.getString("other")), stayed.getJsonArray("listed"), r.encode());
      assertEquals(new JsonArray().add("removed"), r.getJsonObject("moved").getJsonArray("failovers"), r.encode());
    }
  }
}
