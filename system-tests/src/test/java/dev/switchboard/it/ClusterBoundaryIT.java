package dev.switchboard.it;

import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.model.SseEvent;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster boundary against real JVMs: a coordinator and a backend node share a cluster secret; a
 * rogue lite member in this JVM knows the cluster name and ports (Hazelcast lets it join: the open-source
 * edition has no member authentication) but signs with a wrong secret, or not at all. It writes the
 * attacker's record, sends a {@code scale} straight to the node, reports the real backend unreachable and
 * replays the node's own heartbeats after freezing it — and changes nothing. Also: both JVMs listen on
 * {@code --cluster-host} only, and a non-loopback host without a secret does not start.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusterBoundaryIT {

  private static final String TOKEN = "boundary-admin-token";
  private static final Duration SHORT = Duration.ofSeconds(15);
  /** How long the list is watched for a forged record to show up. */
  private static final Duration WATCH = Duration.ofSeconds(4);
  private static final String BOUND = "Hazelcast on \\[?127\\.0\\.0\\.1\\]?:(\\d+), event bus on 127\\.0\\.0\\.1:(\\d+)";

  private static TestCluster cluster;
  private static TestCluster.Coordinator coordinator;
  private static TestCluster.BackendNode node;
  private static String nodeId;
  private static ClusterNode rogue;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.unique();
    byte[] secret = new byte[24];
    ThreadLocalRandom.current().nextBytes(secret);
    String clusterSecret = HexFormat.of().formatHex(secret);
    coordinator = cluster.coordinator("coordinator-boundary", "--admin-token", TOKEN, "--cluster-secret", clusterSecret);
    node = cluster.backendNode("backend-boundary", 1, "--cluster-secret", clusterSecret);
    nodeId = node.process().awaitLine("backend node ready: \\d+ backends \\(node (\\S+)\\)", SHORT).group(1);
    rogue = ClusterNode.start(cluster.liteMemberOptions().setSecret("not the secret of this cluster"))
        .await(90, TimeUnit.SECONDS);
    vertx = Vertx.vertx();
    Http.await("the signed backend listed", SHORT, () -> listed().containsKey(node.ids().get(0)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (rogue != null) {
      rogue.close().await(30, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : new AutoCloseable[] {node, coordinator}) {
      if (c != null) {
        c.close();
      }
    }
  }

  /** The coordinator's list by id. */
  private static Map<String, JsonObject> listed() throws Exception {
    JsonArray all = Http.getJson(coordinator.base() + "/v1/backends").getJsonArray("backends");
    return all.stream().map(o -> (JsonObject) o).collect(java.util.stream.Collectors.toMap(r -> r.getString("id"), r -> r));
  }

  /** The listed backends of the node under test. */
  private static List<String> nodeBackends() throws Exception {
    return listed().values().stream().filter(r -> nodeId.equals(r.getString("node"))).map(r -> r.getString("id")).sorted().toList();
  }

  private static JsonObject evilRecord(String id) {
    return new JsonObject().put("id", id).put("service", "chat").put("url", "ws://attacker.example:80/ws")
        .put("node", rogue.nodeId()).put("zone", "local").put("state", "UP").put("connections", 0)
        .put("capacity", 10_000).put("weight", 1000).put("startedAt", System.currentTimeMillis());
  }

  /** The sum of the coordinator's metric lines that start with {@code series} (a name, or a name and labels). */
  private static double metric(String series) throws Exception {
    return Http.get(coordinator.base() + "/metrics").body().lines().filter(l -> l.startsWith(series))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private static int refusedWith(String address, JsonObject command) {
    ReplyException e = assertThrows(ReplyException.class, () -> rogue.vertx().eventBus()
        .request(address, command, new DeliveryOptions().setSendTimeout(10_000)).await(15, TimeUnit.SECONDS));
    return e.failureCode();
  }

  private static boolean mentions(SseEvent e, String id) {
    return e.data().contains("\"" + id + "\"");
  }

  @Test
  void aRogueMemberWithoutTheSecretListsNoBackendRunsNoCommandAndQuarantinesNothing() throws Exception {
    String real = node.ids().get(0);
    try (SseProbe stream = SseProbe.open(vertx, coordinator.base() + "/v1/backends/stream", null)) {
      assertTrue(mentions(stream.awaitEvent(e -> e.event().equals("snapshot"), SHORT), real));
      List<String> before = nodeBackends();

      // the attack as it happened: a record in the registry, unsigned, then signed with a wrong secret
      Map<String, Object> registry = rogue.hazelcast().getMap(ClusterNames.BACKENDS_MAP);
      registry.put("evil-0", evilRecord("evil-0").encode());
      registry.put("evil-0", evilRecord("evil-0").put("connections", 1).encode());
      registry.put("evil-1", rogue.signer().sealRecord(evilRecord("evil-1")));
      // a scale straight to the node's control address, unsigned (twice) and wrongly signed
      String control = ClusterNames.NODE_CONTROL_PREFIX + nodeId;
      JsonObject scale = new JsonObject().put("op", "scale").put("instances", 5);
      assertEquals(401, refusedWith(control, scale));
      assertEquals(401, refusedWith(control, scale));
      assertEquals(401, refusedWith(control, rogue.signer().sealMessage(control, scale)));
      // three "clients" report the real backend unreachable, straight on the coordinators' address
      for (int i = 1; i <= 3; i++) {
        JsonObject report = new JsonObject().put("backend", real).put("reporter", "10.6.6." + i);
        rogue.vertx().eventBus().publish(ClusterNames.REPORTS_ADDRESS, report);
        rogue.vertx().eventBus().publish(ClusterNames.REPORTS_ADDRESS,
            rogue.signer().sealMessage(ClusterNames.REPORTS_ADDRESS, report.copy().put("reporter", "10.7.7." + i)));
      }

      List<SseProbe.Arrival> events = stream.collect(WATCH);
      for (SseProbe.Arrival a : events) {
        assertFalse(mentions(a.event(), "evil-0") || mentions(a.event(), "evil-1"), "forged record reached a client: " + a.event());
        assertFalse(a.event().event().equals("remove") && mentions(a.event(), real), "real backend removed: " + a.event());
      }
      Map<String, JsonObject> list = listed();
      assertFalse(list.containsKey("evil-0") || list.containsKey("evil-1"), list.keySet().toString());
      assertFalse(list.get(real).getBoolean("suspect", false), "its signed heartbeats keep it unflagged: " + list.get(real));
      assertFalse(list.get(real).containsKey("sig"), "clients never see the signature: " + list.get(real));
      assertEquals(before, nodeBackends(), "the node's backends are unchanged");
      assertEquals(0, Http.getJson(coordinator.base() + "/v1/backends/" + real + "/reports").getInteger("reporters"));

      assertEquals(2.0, metric("switchboard_records_invalid_total "), "each forged key counted once");
      assertEquals(6.0, metric("switchboard_cluster_messages_refused_total{kind=\"report\""), "every forged report refused");
      assertEquals(1, coordinator.process().count("rejected registry entry 'evil-0'"), "logged once per key");
      assertEquals(1, node.process().count("refused a control command .*\\(MISSING\\)"), "logged once per kind");
      assertEquals(1, node.process().count("refused a control command .*\\(BAD_SIGNATURE\\)"));

      // the same command, signed by the coordinator with the cluster's secret, is carried out
      HttpResponse<String> scaled = Http.post(coordinator.base() + "/v1/admin/nodes/" + nodeId + "/scale", TOKEN,
          new JsonObject().put("instances", before.size() + 1));
      assertEquals(200, scaled.statusCode(), scaled.body());
      SseEvent added = stream.awaitEvent(e -> e.event().equals("upsert") && !before.contains(new JsonObject(e.data()).getString("id")), SHORT);
      assertEquals(nodeId, new JsonObject(added.data()).getString("node"));
    }
  }

  @Test
  void aRogueCannotKeepAFrozenNodeListedWithForgedOrReplayedHeartbeats() throws Exception {
    List<String> ids = nodeBackends();
    // without event-bus TLS anyone in the cluster can subscribe: the rogue records the node's real heartbeats
    List<JsonObject> captured = new CopyOnWriteArrayList<>();
    MessageConsumer<JsonObject> tap = rogue.vertx().eventBus().consumer(ClusterNames.HEARTBEAT_ADDRESS, m -> {
      if (nodeId.equals(m.body().getString("node"))) {
        captured.add(m.body());
      }
    });
    tap.completion().await(10, TimeUnit.SECONDS);
    // and the same beats on the Hazelcast topic, which any member can read and write too
    List<String> capturedOnTopic = new CopyOnWriteArrayList<>();
    UUID topicTap = rogue.heartbeatTopic().addMessageListener(m -> {
      if (nodeId.equals(new JsonObject(m.getMessageObject()).getString("node"))) {
        capturedOnTopic.add(m.getMessageObject());
      }
    });
    long replayer = -1;
    try (SseProbe stream = SseProbe.open(vertx, coordinator.base() + "/v1/backends/stream", null)) {
      stream.awaitEvent(e -> e.event().equals("snapshot"), SHORT);
      Http.await("real heartbeats captured", SHORT, () -> captured.size() >= 4 && capturedOnTopic.size() >= 4);
      // stop listening first: the tap would capture the replays themselves
      tap.unregister().await(10, TimeUnit.SECONDS);
      rogue.heartbeatTopic().removeMessageListener(topicTap);
      List<JsonObject> replays = List.copyOf(captured);
      List<String> topicReplays = List.copyOf(capturedOnTopic);
      node.process().signal("STOP");
      // every 100 ms: each captured heartbeat again (all well inside the ±30 s window), and forged ones
      replayer = rogue.vertx().setPeriodic(100, t -> {
        replays.forEach(beat -> rogue.vertx().eventBus().publish(ClusterNames.HEARTBEAT_ADDRESS, beat));
        JsonObject forged = new JsonObject().put("node", nodeId).put("backend", ids.get(0)).put("seq", 1);
        rogue.vertx().eventBus().publish(ClusterNames.HEARTBEAT_ADDRESS, forged);
        rogue.vertx().eventBus().publish(ClusterNames.HEARTBEAT_ADDRESS,
            rogue.signer().sealMessage(ClusterNames.HEARTBEAT_ADDRESS, forged));
        topicReplays.forEach(beat -> rogue.heartbeatTopic().publishAsync(beat));
        replays.forEach(beat -> rogue.heartbeatTopic().publishAsync(beat.encode())); // sealed for the other channel
        rogue.heartbeatTopic().publishAsync(forged.encode());
        rogue.heartbeatTopic().publishAsync(rogue.signer().sealMessage(ClusterNames.HEARTBEAT_TOPIC, forged).encode());
        rogue.heartbeatTopic().publishAsync("{not json");
      });
      // removed within the liveness deadline (2.5 s) plus room for a loaded machine, and never heard again
      List<SseEvent> events = stream.collect(Duration.ofSeconds(6)).stream().map(SseProbe.Arrival::event).toList();
      for (String id : ids) {
        List<SseEvent> about = events.stream().filter(e -> mentions(e, id)).toList();
        assertTrue(about.stream().anyMatch(e -> e.event().equals("remove")
            && "expired".equals(new JsonObject(e.data()).getString("reason"))), "no remove (expired) of " + id + " in " + events);
        assertTrue(about.stream().noneMatch(e -> e.event().equals("upsert") && !new JsonObject(e.data()).getBoolean("suspect", false)),
            "a forged or replayed heartbeat made " + id + " live again: " + events);
      }
      assertTrue(metric("switchboard_cluster_messages_refused_total{kind=\"heartbeat\"") > 0);
    } finally {
      if (replayer != -1) {
        rogue.vertx().cancelTimer(replayer);
      }
      if (tap.isRegistered()) {
        tap.unregister();
      }
      node.process().signal("CONT");
    }
    Http.await("the resumed node listed again", SHORT, () -> nodeBackends().containsAll(ids));
  }

  @Test
  void hazelcastAndTheEventBusListenOnTheClusterHostOnly() throws Exception {
    for (JvmProcess process : List.of(coordinator.process(), node.process())) {
      Matcher bound = process.awaitLine(BOUND, SHORT);
      for (int port : new int[] {Integer.parseInt(bound.group(1)), Integer.parseInt(bound.group(2))}) {
        assertTrue(connects("127.0.0.1", port), "127.0.0.1:" + port + " should accept");
        assertFalse(connects("127.0.0.2", port), "127.0.0.2:" + port + " should refuse: bound to 127.0.0.1 only");
      }
    }
  }

  @Test
  void aNonLoopbackClusterHostWithoutASecretDoesNotStart() throws Exception {
    try (JvmProcess open = JvmProcess.start("coordinator-open", "switchboard.coordinator.jar",
        cluster.args("--port", "0", "--cluster-host", "0.0.0.0"))) {
      assertEquals(2, open.awaitExit(Duration.ofSeconds(60)));
      assertEquals(1, open.count("error: --cluster-host 0.0.0.0 is not a loopback address: set --cluster-secret"));
    }
  }

  private static boolean connects(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
