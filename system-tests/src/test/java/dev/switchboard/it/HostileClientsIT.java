package dev.switchboard.it;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.ringbuffer.Ringbuffer;
import dev.switchboard.cluster.ClusterNames;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile connections beside well-behaved ones on the same backend JVM (started with small room caps
 * and a short room TTL): a flood, 10,000 room names, publishes to fresh rooms, a consumer that never
 * reads, malformed and fragmented frames. The hostile ones get their documented errors and close codes;
 * no well-behaved client is disconnected or loses an acked message; the cluster never holds more room
 * ringbuffers than the node cap, and once the hostile ones are gone and the TTL has passed, only the
 * rooms still in use are left.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class HostileClientsIT {

  private static final int PER_CONNECTION = 20;
  private static final int PER_NODE = 300;
  private static final long TTL_MS = 4_000;
  private static final int SQUATTERS = 20;
  private static final int NAMES_EACH = 500;
  /**
   * The squatters join at 100/s each, a tenth of this backend's rate (1,000/s, burst 1,000): caps, not
   * the rate, answer them, even when a loaded machine stalls the backend for seconds and their joins
   * arrive in a burst. The rate itself is BackendLimitsIT's; the flood here still passes it.
   */
  private static final long PACE_MS = 10;
  private static final Set<String> IN_USE = Set.of("calm-1", "calm-2", "firehose");

  private static TestCluster cluster;
  private static TestCluster.Coordinator coordinator;
  private static JvmProcess backend;
  private static String url;
  private static HazelcastInstance observer;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.unique();
    coordinator = cluster.coordinator("coordinator-hostile");
    backend = JvmProcess.start("backend-hostile", "switchboard.backend.jar", cluster.args("--instances", "1",
        "--port-base", "0", "--host", "127.0.0.1", "--max-rooms-per-connection", String.valueOf(PER_CONNECTION),
        "--max-rooms-per-node", String.valueOf(PER_NODE), "--room-ttl-ms", String.valueOf(TTL_MS),
        "--rate", "1000", "--burst", "1000", "--ping-interval-ms", "60000"));
    url = backend.awaitLine("switchboard backend \\S+: (ws://\\S+)", TestCluster.START).group(1);
    // a lite member of the test's own, to count the room ringbuffers the cluster holds
    observer = Hazelcast.newHazelcastInstance(cluster.liteMemberOptions().toHazelcastConfig());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    if (observer != null) {
      observer.shutdown();
    }
    if (backend != null) {
      backend.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
  }

  @Test
  void hostileClientsAreCappedAndClosedWhileWellBehavedOnesOnTheSameBackendLoseNothing() throws Exception {
    long rssAtStart = rssKb(backend.pid());
    ExecutorService pool = Executors.newCachedThreadPool();
    List<RawWebSocket> hostile = new ArrayList<>();
    try (RoomClient w1 = new RoomClient(vertx, url); RoomClient w2 = new RoomClient(vertx, url);
         RoomClient w3 = new RoomClient(vertx, url); RoomClient w4 = new RoomClient(vertx, url);
         RoomClient reader = new RoomClient(vertx, url); RoomClient publisher = new RoomClient(vertx, url)) {
      w1.join("calm-1", null);
      w2.join("calm-1", null);
      w3.join("calm-2", null);
      w4.join("calm-2", null);
      reader.join("firehose", null);

      // phase A: malformed, fragmented and typed-id frames on one connection; the close codes on others
      malformedAndFragmentedFramesGetErrorsOrAnswers();
      // Netty rejects this before our assembler sees it, and Vert.x closes with 1000, not RFC 6455's 1002
      int strayContinuation = closeAfter(ws -> ws.sendFrame(0, bytes("{}"), true));
      assertTrue(strayContinuation == 1000 || strayContinuation == 1002, "continuation without a start: "
          + strayContinuation);
      assertEquals(1009, closeAfter(ws -> {
        ws.sendFrame(1, bytes("{\"type\":\"echo\",\"id\":1,\"data\":\"" + "x".repeat(30_000)), false);
        ws.sendFrame(0, bytes("y".repeat(30_000)), false);
        ws.sendFrame(0, bytes("z".repeat(30_000) + "\"}"), true);
      }), "fragments adding up past the message limit");
      assertEquals(1007, closeAfter(ws -> {
        ws.sendFrame(1, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3}, false);
        ws.sendFrame(0, new byte[] {0x28, '"', '}'}, true);
      }), "invalid UTF-8 split across fragments");

      // phase B: the flood, 10,000 room names and a consumer that never reads, while the calm rooms chat
      RawWebSocket neverReads = RawWebSocket.connect(url, null, 4_096);
      synchronized (hostile) {
        hostile.add(neverReads);
      }
      String neverReadsSession = text(neverReads).getString("session");
      neverReads.sendText("{\"type\":\"join\",\"room\":\"firehose\"}");
      assertEquals("joined", text(neverReads).getString("type"));

      Future<?> chatter = pool.submit(() -> {
        for (int i = 0; i < 60; i++) {
          w1.publish("calm-1", "c1-" + i, i);
          w3.publish("calm-2", "c2-" + i, i);
          Thread.sleep(100);
        }
        return null;
      });
      Future<int[]> flood = pool.submit(HostileClientsIT::flood);
      List<Future<Squat>> squats = new ArrayList<>();
      for (int s = 0; s < SQUATTERS; s++) {
        int squatter = s;
        squats.add(pool.submit(() -> squat(squatter, hostile, pool)));
      }
      String big = "f".repeat(60_000);
      for (int i = 0; i < 150; i++) {
        publisher.publish("firehose", "f-" + i, big);
      }
      publisher.until("150 firehose acks", () -> publisher.acks.size() == 150);
      reader.until("the firehose on a reader beside the one that never reads", () -> reader.order.size() == 150);
      // its close frame waits behind what it did not read: drain it now, within Vert.x's closing timeout
      backend.awaitLine("session " + neverReadsSession + ": closing a slow consumer", Duration.ofSeconds(30));
      assertEquals(4008, neverReads.awaitClose(), "a consumer that never reads is closed as slow");

      chatter.get(60, TimeUnit.SECONDS);
      int[] flooded = flood.get(60, TimeUnit.SECONDS);
      assertEquals(1, flooded[0], "the flood was answered rate-limited");
      assertEquals(1008, flooded[1], "and closed for repeated abuse");
      int joined = 0;
      int connectionCap = 0;
      int nodeCap = 0;
      for (Future<Squat> f : squats) {
        Squat squat = f.get(90, TimeUnit.SECONDS);
        assertTrue(squat.joined() <= PER_CONNECTION, "joined " + squat.joined());
        assertEquals(NAMES_EACH, squat.joined() + squat.connectionCap() + squat.nodeCap(), "every join answered");
        joined += squat.joined();
        connectionCap += squat.connectionCap();
        nodeCap += squat.nodeCap();
      }
      System.out.printf("squatters: %d joins admitted, %d refused at the connection cap, %d at the node cap%n",
          joined, connectionCap, nodeCap);
      assertTrue(joined <= PER_NODE - IN_USE.size(), "the node cap held: " + joined);
      assertTrue(connectionCap > 0 && nodeCap > 0, "both caps answered");

      // phase C: publishes to fresh rooms on a full node
      publishesToFreshRoomsOnAFullNodeAreRefusedNamingRoomAndId(hostile);

      Set<String> peak = roomBuffers();
      long rssAtPeak = rssKb(backend.pid());
      System.out.printf("room ringbuffers at the peak: %d (node cap %d); backend RSS %d MB -> %d MB%n",
          peak.size(), PER_NODE, rssAtStart / 1024, rssAtPeak / 1024);
      // 'junk' (left in phase A) frees its slot a TTL after it was left and may outlive it until a sweep:
      // the documented slack of rooms idle past the TTL that no sweep has reached yet
      Set<String> counted = new HashSet<>(peak);
      counted.remove("junk");
      assertTrue(counted.size() <= PER_NODE, "ringbuffers " + peak.size());

      // every well-behaved client is connected and got every acked message exactly once
      w1.until("60 acks in calm-1", () -> w1.acks.size() == 60 && w1.order.size() == 60);
      w3.until("60 acks in calm-2", () -> w3.acks.size() == 60 && w3.order.size() == 60);
      w2.until("calm-1 on w2", () -> w2.order.size() == 60);
      w4.until("calm-2 on w4", () -> w4.order.size() == 60);
      List<Object> published = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        published.add("c1-" + i);
      }
      assertEquals(published, w2.ids(), "calm-1 in the order its publisher sent");
      assertEveryAckedMessageOnce(w1, "c1-", w1, w2);
      assertEveryAckedMessageOnce(w3, "c2-", w3, w4);
      assertEveryAckedMessageOnce(publisher, "f-", reader);
      for (RoomClient c : List.of(w1, w2, w3, w4, reader, publisher)) {
        assertTrue(c.ws.isOpen(), "a well-behaved client was closed: " + c.ws.closeStatus());
      }

      // the hostile ones leave; a TTL later only the rooms in use are left
      synchronized (hostile) {
        for (RawWebSocket ws : hostile) {
          ws.close();
        }
      }
      long left = System.nanoTime();
      Http.await("only the rooms in use left", Duration.ofSeconds(40), () -> roomBuffers().equals(IN_USE));
      System.out.printf("room ringbuffers %d -> %d, %d ms after the hostile clients left (TTL %d ms); backend RSS %d MB%n",
          peak.size(), roomBuffers().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left), TTL_MS,
          rssKb(backend.pid()) / 1024);

      // the rooms in use were kept (their seq goes on) and the freed slots take new rooms
      long lastSeq = w1.acks.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      w1.publish("calm-1", "after-sweep", "x");
      w1.until("the ack after the sweep", () -> w1.acks.containsKey("after-sweep"));
      assertEquals(lastSeq + 1, w1.acks.get("after-sweep"), "calm-1 was not begun again");
      w2.until("the message after the sweep", () -> w2.ids().contains("after-sweep"));
      try (RoomClient late = new RoomClient(vertx, url)) {
        assertEquals(-1, late.join("sq-0-0", 5L), "a swept room is begun again: a since joins at its end");
      }
    } finally {
      synchronized (hostile) {
        for (RawWebSocket ws : hostile) {
          ws.close();
        }
      }
      pool.shutdownNow();
    }
  }

  private static void malformedAndFragmentedFramesGetErrorsOrAnswers() throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(url, null)) {
      assertEquals("welcome", text(ws).getString("type"));
      ws.sendText("not json");
      assertEquals("bad-json", text(ws).getString("code"));
      ws.send(2, new byte[] {1, 2, 3});
      assertEquals("bad-message", text(ws).getString("code"));
      ws.sendText("{\"type\":\"join\",\"room\":\"neg\",\"since\":-5}");
      JsonObject negative = text(ws);
      assertEquals("bad-message", negative.getString("code"));
      assertEquals("neg", negative.getString("room"), "the error names the room of the failed join");

      // a join in three fragments
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
      ws.sendText("{\"type\":\"ping\",\"id\":9}");
      assertEquals("pong", text(ws).getString("type"), "nothing else came first");
      ws.sendText("{\"type\":\"leave\",\"room\":\"junk\"}");
    }
  }

  /** Connects, does {@code hostile}, and returns the close code the backend answers with. */
  private static int closeAfter(Frames hostile) throws Exception {
    try (RawWebSocket ws = RawWebSocket.connect(url, null)) {
      assertEquals("welcome", text(ws).getString("type"));
      hostile.send(ws);
      return ws.awaitClose();
    }
  }

  private interface Frames {
    void send(RawWebSocket ws) throws IOException;
  }

  /** 3,000 pings at once (three times the burst): returns {rate-limited seen (1/0), close code}. */
  private static int[] flood() throws IOException {
    try (RawWebSocket ws = RawWebSocket.connect(url, null)) {
      text(ws);
      for (int i = 0; i < 3_000; i++) {
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
  }

  private record Squat(int joined, int connectionCap, int nodeCap) {
  }

  /** One connection joining 500 distinct rooms at a pace under the rate; the connection stays open. */
  private static Squat squat(int squatter, List<RawWebSocket> hostile, ExecutorService pool) throws Exception {
    RawWebSocket ws = RawWebSocket.connect(url, null);
    synchronized (hostile) {
      hostile.add(ws);
    }
    text(ws);
    Future<Squat> answers = pool.submit(() -> {
      int joined = 0;
      int connectionCap = 0;
      int nodeCap = 0;
      while (joined + connectionCap + nodeCap < NAMES_EACH) {
        JsonObject f = text(ws);
        if ("joined".equals(f.getString("type"))) {
          joined++;
          continue;
        }
        assertEquals("too-many-rooms", f.getString("code"), f.encode());
        assertNotNull(f.getString("room"), "the error names its room: " + f.encode());
        assertNull(f.getValue("id"));
        if (f.getString("message").startsWith("connection cap")) {
          connectionCap++;
        } else {
          assertTrue(f.getString("message").startsWith("node cap"), f.encode());
          nodeCap++;
        }
      }
      return new Squat(joined, connectionCap, nodeCap);
    });
    for (int i = 0; i < NAMES_EACH; i++) {
      ws.sendText("{\"type\":\"join\",\"room\":\"sq-" + squatter + "-" + i + "\"}");
      Thread.sleep(PACE_MS);
    }
    return answers.get(60, TimeUnit.SECONDS);
  }

  private static void publishesToFreshRoomsOnAFullNodeAreRefusedNamingRoomAndId(List<RawWebSocket> hostile)
      throws Exception {
    RawWebSocket ws = RawWebSocket.connect(url, null);
    synchronized (hostile) {
      hostile.add(ws);
    }
    text(ws);
    int refused = 0;
    for (int i = 0; i < 300; i++) {
      ws.sendText("{\"type\":\"publish\",\"room\":\"pub-" + i + "\",\"id\":\"p-" + i + "\",\"data\":0}");
      JsonObject f = text(ws);
      if ("error".equals(f.getString("type"))) {
        assertEquals("too-many-rooms", f.getString("code"), f.encode());
        assertEquals("pub-" + i, f.getString("room"));
        assertEquals("p-" + i, f.getString("id"));
        refused++;
      }
      Thread.sleep(PACE_MS);
    }
    assertTrue(refused >= 300 - 3, "publishes to fresh rooms on a full node refused: " + refused);
  }

  private static void assertEveryAckedMessageOnce(RoomClient sender, String prefix, RoomClient... members) {
    for (RoomClient member : members) {
      List<Object> ids = member.ids().stream().filter(id -> id.toString().startsWith(prefix)).toList();
      assertEquals(new HashSet<>(ids).size(), ids.size(), "no duplicate");
      for (Object id : sender.acks.keySet()) {
        if (id.toString().startsWith(prefix)) {
          assertTrue(ids.contains(id), "acked " + id + " was delivered");
        }
      }
      for (int i = 1; i < member.order.size(); i++) {
        assertTrue(member.order.get(i) > member.order.get(i - 1), "in seq order");
      }
    }
  }

  /** The next text frame, as JSON. */
  private static JsonObject text(RawWebSocket ws) throws IOException {
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

  /** The rooms whose ringbuffer exists in the cluster. */
  private static Set<String> roomBuffers() {
    Set<String> rooms = new HashSet<>();
    for (DistributedObject o : observer.getDistributedObjects()) {
      if (o instanceof Ringbuffer<?> && o.getName().startsWith(ClusterNames.ROOM_PREFIX)) {
        rooms.add(o.getName().substring(ClusterNames.ROOM_PREFIX.length()));
      }
    }
    return rooms;
  }

  /** A process's resident set size in KiB (Linux). */
  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
