package dev.switchboard.coordinator.impl;

import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin API over real HTTP in one JVM: the node list and node ids given in full or as a unique prefix. */
class AdminApiNodesTest {

  private static final String TOKEN = "secret-token";
  private static final String NODE_A = "a1b2c3d4-0000-4000-8000-000000000001";
  private static final String NODE_B = "a1b2ffff-0000-4000-8000-000000000002";
  private static final long STARTED_A = 1_700_000_000_000L;

  private final Map<String, BackendRecord> registry = new LinkedHashMap<>();
  private final List<JsonObject> commandsToA = new CopyOnWriteArrayList<>();
  private Vertx vertx;
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    put(record("a1b2c3d4-0", NODE_A, 9001, BackendState.UP, 3));
    put(record("a1b2c3d4-1", NODE_A, 9002, BackendState.DRAINING, 1));
    put(record("a1b2ffff-0", NODE_B, 9101, BackendState.UP, 5));
    Map<String, NodeTable.NodeStatus> status = Map.of(
        NODE_A, new NodeTable.NodeStatus(NodeLiveness.State.ALIVE, 120, STARTED_A),
        NODE_B, new NodeTable.NodeStatus(NodeLiveness.State.SUSPECT, 1800, -1));
    Router router = Router.router(vertx);
    new AdminApi(vertx, ClusterSigner.none(), TOKEN, registry::get, registry.values(), status::get).mount(router, handler -> handler);
    vertx.eventBus().<JsonObject>consumer(ClusterNames.NODE_CONTROL_PREFIX + NODE_A, m -> {
      commandsToA.add(m.body());
      m.reply(new JsonObject().put("node", NODE_A).put("instances", m.body().getInteger("instances")));
    });
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void theNodeListShowsHostsPortsInstancesHealthAndUptime() {
    Answer answer = call(HttpMethod.GET, "/v1/admin/nodes", null);
    assertEquals(200, answer.status);
    JsonArray nodes = answer.body.getJsonArray("nodes");
    assertEquals(2, nodes.size());
    JsonObject a = nodes.getJsonObject(0);
    assertEquals(NODE_A, a.getString("node"));
    assertEquals("a1b2c3d4", a.getString("short"));
    assertEquals(new JsonArray().add("127.0.0.1"), a.getJsonArray("hosts"));
    assertEquals(new JsonArray().add(9001).add(9002), a.getJsonArray("ports"));
    assertEquals(2, a.getInteger("instances"));
    assertEquals(1, a.getInteger("up"));
    assertEquals(1, a.getInteger("draining"));
    assertEquals(4, a.getInteger("connections"));
    assertEquals("alive", a.getString("health"));
    assertEquals(STARTED_A, a.getLong("startedAt"));
    assertTrue(a.getLong("uptimeMs") >= System.currentTimeMillis() - STARTED_A - 60_000);
    JsonObject b = nodes.getJsonObject(1);
    assertEquals("suspect", b.getString("health"));
    assertEquals(1800, b.getLong("silentMs"));
    // without a start time in its heartbeats, a node is as old as its oldest backend
    assertEquals(registry.get("a1b2ffff-0").startedAt(), b.getLong("startedAt"));
  }

  @Test
  void aUniquePrefixOfANodeIdScalesThatNode() {
    Answer answer = call(HttpMethod.POST, "/v1/admin/nodes/a1b2c3/scale", "{\"instances\": 3}");
    assertEquals(200, answer.status, answer.body::encode);
    assertEquals(List.of(new JsonObject().put("op", "scale").put("instances", 3)), commandsToA);
  }

  @Test
  void theFullNodeIdStillWorks() {
    assertEquals(200, call(HttpMethod.POST, "/v1/admin/nodes/" + NODE_A + "/scale", "{\"instances\": 1}").status);
    assertEquals(1, commandsToA.size());
  }

  @Test
  void aPrefixOfTwoNodesIsAConflictNamingBoth() {
    Answer answer = call(HttpMethod.POST, "/v1/admin/nodes/a1b2/scale", "{\"instances\": 3}");
    assertEquals(409, answer.status);
    assertEquals(new JsonArray().add(NODE_A).add(NODE_B), answer.body.getJsonArray("matches"));
    assertTrue(answer.body.getString("error").contains("a1b2"));
    assertTrue(commandsToA.isEmpty());
  }

  @Test
  void aPrefixOfNoNodeIsNotFoundWithAJsonError() {
    Answer answer = call(HttpMethod.POST, "/v1/admin/nodes/ffff/scale", "{\"instances\": 3}");
    assertEquals(404, answer.status);
    assertFalse(answer.body.getString("error").isBlank());
  }

  @Test
  void theNodeListNeedsTheToken() {
    HttpClientResponse response = client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/v1/admin/nodes")
        .compose(r -> r.send()).await();
    assertEquals(401, response.statusCode());
  }

  private record Answer(int status, JsonObject body) {
  }

  private Answer call(HttpMethod method, String path, String body) {
    return client.request(method, server.actualPort(), "127.0.0.1", path)
        .compose(r -> {
          r.putHeader("Authorization", "Bearer " + TOKEN);
          return body == null ? r.send() : r.putHeader("Content-Type", "application/json").send(body);
        })
        .compose(r -> r.body().map(b -> new Answer(r.statusCode(), b.toJsonObject())))
        .await();
  }

  private void put(BackendRecord record) {
    registry.put(record.id(), record);
  }

  private static BackendRecord record(String id, String node, int port, BackendState state, int connections) {
    return new BackendRecord(id, "chat", "ws://127.0.0.1:" + port + "/ws", node, "local", state, connections, 100,
        BackendRecord.DEFAULT_WEIGHT, 1_700_000_100_000L + port);
  }
}
