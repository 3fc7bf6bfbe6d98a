package dev.switchboard.backend;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.ClusterOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The door of in-process backends on a one-member cluster of their own: a ticket is required and
 * checked at the upgrade, an unlisted browser origin is refused, the admitted client's ticket reaches
 * the application, its rooms decide its joins and publishes, and an application's own authorizer
 * answering late still sees a connection's room requests carried out in order.
 */
class BackendDoorTest {

  private static final String SECRET = "door-test-secret-door-test-secret-0123";
  private static final String LISTED = "https://app.example.com";

  private static ClusterNode node;
  private static Vertx vertx;
  private static WebSocketClient client;
  private static int port;
  private static int slowPort;
  /** How long the slow authorizer takes over each decision, in the order they are asked. */
  private static final List<Long> SLOW_DELAYS = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void deploy() throws Exception {
    int hazelcastPort = 6301 + ThreadLocalRandom.current().nextInt(0, 60) * 10;
    node = ClusterNode.start(new ClusterOptions().setClusterName("door-" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
        .setPort(hazelcastPort).setMembers("127.0.0.1:" + hazelcastPort)).await(2, TimeUnit.MINUTES);
    vertx = node.vertx();
    client = vertx.createWebSocketClient();
    BackendOptions options = new BackendOptions().setPortBase(0).setHost("127.0.0.1").setTicketSecret(SECRET)
        .setAllowedOrigins(LISTED + ",http://localhost:5173");
    BackendVerticle backend = new BackendVerticle(options, node, 0)
        .messageHandler((c, message) -> c.send(new JsonObject().put("type", "whoami").put("sub", c.subject())
            .put("jti", c.ticket().id()).put("name", c.ticket().claims().getString("name"))));
    BackendVerticle slow = new BackendVerticle(options, node, 1).authorizer((c, action, room) -> {
      long delay = SLOW_DELAYS.isEmpty() ? 1 : SLOW_DELAYS.remove(0);
      Promise<Boolean> decision = Promise.promise();
      // answered from another thread, later than the next request's decision
      new Thread(() -> {
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (room.startsWith("fail")) {
          decision.fail("the directory is down");
        } else {
          decision.complete(!room.startsWith("no"));
        }
      }).start();
      return decision.future();
    });
    vertx.deployVerticle(backend).await(30, TimeUnit.SECONDS);
    vertx.deployVerticle(slow).await(30, TimeUnit.SECONDS);
    port = port(backend);
    slowPort = port(slow);
  }

  private static int port(BackendVerticle backend) {
    return Integer.parseInt(backend.record().url().replaceAll(".*:(\\d+)/ws$", "$1"));
  }

  @AfterAll
  static void close() throws Exception {
    if (node != null) {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }

  private static String ticket(JsonObject claims) throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(claims.encode()));
    jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
    return jws.serialize();
  }

  private static JsonObject claims(String sub) {
    return new JsonObject().put("sub", sub).put("exp", System.currentTimeMillis() / 1000 + 60).put("jti", "j-" + sub)
        .put("name", "Alice Liddell");
  }

  private static Future<WebSocket> connect(String query, String origin) {
    return connect(port, query, origin);
  }

  private static Future<WebSocket> connect(int port, String query, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/ws" + query).setAllowOriginHeader(origin != null);
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return client.connect(options);
  }

  private static UpgradeRejectedException refused(Future<WebSocket> attempt) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> attempt.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof UpgradeRejectedException, String.valueOf(e.getCause()));
    return (UpgradeRejectedException) e.getCause();
  }

  /** The first frame after the welcome that answers {@code message}. */
  private static JsonObject ask(WebSocket socket, JsonObject message) throws Exception {
    return exchange(socket, 1, message).get(0);
  }

  /** Sends {@code messages} at once; returns the first {@code count} frames after the welcome. */
  private static List<JsonObject> exchange(WebSocket socket, int count, JsonObject... messages) throws Exception {
    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    Promise<List<JsonObject>> all = Promise.promise();
    socket.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      if (!"welcome".equals(frame.getString("type")) && frames.size() < count) {
        frames.add(frame);
        if (frames.size() == count) {
          all.complete(List.copyOf(frames));
        }
      }
    });
    for (JsonObject message : messages) {
      socket.writeTextMessage(message.encode());
    }
    return all.future().await(10, TimeUnit.SECONDS);
  }

  private static JsonObject join(String room) {
    return new JsonObject().put("type", "join").put("room", room);
  }

  private static JsonObject publish(String room, String id) {
    return new JsonObject().put("type", "publish").put("room", room).put("id", id).put("data", "hi");
  }

  private static JsonObject forbidden(String room, String id, String message) {
    JsonObject error = new JsonObject().put("type", "error").put("code", "forbidden").put("message", message).put("room", room);
    return id == null ? error : error.put("id", id);
  }

  @Test
  void anUpgradeWithoutATicketGets401WithAJsonError() {
    UpgradeRejectedException e = refused(connect("", null));
    assertEquals(401, e.getStatus());
    assertTrue(new JsonObject(e.getBody()).getString("error").contains("ticket required"), e.getBody().toString());
  }

  @Test
  void anExpiredOrForgedTicketGets401() throws Exception {
    String expired = ticket(claims("bob").put("exp", System.currentTimeMillis() / 1000 - 3600));
    UpgradeRejectedException e = refused(connect("?ticket=" + expired, null));
    assertEquals(401, e.getStatus());
    assertTrue(new JsonObject(e.getBody()).getString("error").contains("expired"), e.getBody().toString());
    String valid = ticket(claims("bob"));
    String forged = valid.substring(0, valid.length() - 2) + (valid.endsWith("AA") ? "BB" : "AA");
    assertEquals(401, refused(connect("?ticket=" + forged, null)).getStatus());
  }

  @Test
  void anAdmittedClientsTicketReachesTheApplication() throws Exception {
    WebSocket socket = connect("?ticket=" + ticket(claims("alice")), null).await(10, TimeUnit.SECONDS);
    JsonObject answer = ask(socket, new JsonObject().put("type", "who"));
    assertEquals(new JsonObject().put("type", "whoami").put("sub", "alice").put("jti", "j-alice").put("name", "Alice Liddell"),
        answer);
    socket.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void anUnlistedBrowserOriginGets403BeforeItsTicketIsRead() throws Exception {
    UpgradeRejectedException e = refused(connect("?ticket=" + ticket(claims("carol")), "https://evil.example"));
    assertEquals(403, e.getStatus());
    assertTrue(new JsonObject(e.getBody()).getString("error").contains("https://evil.example"), e.getBody().toString());
    assertEquals(403, refused(connect("", "null")).getStatus());
  }

  @Test
  void aListedOriginNoOriginOrTheBackendsOwnOriginIsLetIn() throws Exception {
    String ticket = "?ticket=" + ticket(claims("dave"));
    for (String origin : new String[] {LISTED, "HTTP://LOCALHOST:5173", null, "http://127.0.0.1:" + port}) {
      WebSocket socket = connect(ticket, origin).await(10, TimeUnit.SECONDS);
      assertEquals("dave", ask(socket, new JsonObject().put("type", "who")).getString("sub"), String.valueOf(origin));
      socket.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theTicketsRoomsDecideWhichJoinsAndPublishesAreCarriedOut() throws Exception {
    JsonObject rooms = new JsonObject().put("join", new JsonArray().add("lobby").add("team-*"))
        .put("publish", new JsonArray().add("team-*"));
    WebSocket socket = connect("?ticket=" + ticket(claims("erin").put("rooms", rooms)), null).await(10, TimeUnit.SECONDS);
    List<JsonObject> frames = exchange(socket, 4, join("lobby"), join("admin"), publish("lobby", "m-1"), publish("team-7", "m-2"));
    // refusals are answered at once, joined and ack once the room store answered: any order
    assertTrue(frames.contains(forbidden("admin", null, "not allowed to join room 'admin'")), frames.toString());
    assertTrue(frames.contains(forbidden("lobby", "m-1", "not allowed to publish to room 'lobby'")), frames.toString());
    assertTrue(frames.stream().anyMatch(f -> "joined".equals(f.getString("type")) && "lobby".equals(f.getString("room"))),
        frames.toString());
    assertTrue(frames.stream().anyMatch(f -> "ack".equals(f.getString("type")) && "m-2".equals(f.getString("id"))),
        frames.toString());
    socket.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aTicketWithoutRoomsMayJoinNoRoom() throws Exception {
    WebSocket socket = connect("?ticket=" + ticket(claims("frank")), null).await(10, TimeUnit.SECONDS);
    assertEquals(forbidden("lobby", null, "not allowed to join room 'lobby'"), ask(socket, join("lobby")));
    socket.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aLateAuthorizerStillSeesAConnectionsRoomRequestsDecidedInOrder() throws Exception {
    // each decision comes from another thread, the first ones slowest: unordered, the last would answer first
    SLOW_DELAYS.addAll(List.of(400L, 1L, 200L, 1L));
    WebSocket socket = connect(slowPort, "?ticket=" + ticket(claims("grace")), null).await(10, TimeUnit.SECONDS);
    List<JsonObject> frames = exchange(socket, 5, join("no-1"), join("fail-2"), publish("no-3", "m-3"), join("no-4"),
        new JsonObject().put("type", "ping").put("id", 9));
    // the ping needs no decision and overtakes them all; the room requests keep their order, and a
    // failed decision is a refusal
    assertEquals(List.of(new JsonObject().put("type", "pong").put("id", 9).put("backend", frames.get(0).getString("backend")),
        forbidden("no-1", null, "not allowed to join room 'no-1'"),
        forbidden("fail-2", null, "not allowed to join room 'fail-2'"),
        forbidden("no-3", "m-3", "not allowed to publish to room 'no-3'"),
        forbidden("no-4", null, "not allowed to join room 'no-4'")), frames);
    socket.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theHealthEndpointsAnswerOnTheBackendPortAndReadinessFailsOnceItDrains() throws Exception {
    BackendVerticle extra = new BackendVerticle(new BackendOptions().setPortBase(0).setHost("127.0.0.1"), node, 7);
    String deployment = vertx.deployVerticle(extra).await(30, TimeUnit.SECONDS);
    HttpClient http = vertx.createHttpClient();
    try {
      assertEquals(200, status(http, port(extra), BackendVerticle.HEALTH_LIVE));
      assertEquals(200, status(http, port(extra), BackendVerticle.HEALTH_READY));
      extra.drain(0).await(10, TimeUnit.SECONDS);
      assertEquals(503, status(http, port(extra), BackendVerticle.HEALTH_READY));
      assertEquals(200, status(http, port(extra), BackendVerticle.HEALTH_LIVE));
      assertEquals(404, status(http, port(extra), "/health/other"));
    } finally {
      http.close().await(10, TimeUnit.SECONDS);
      vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
    }
  }

  private static int status(HttpClient http, int port, String path) throws Exception {
    return http.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(request -> request.send())
        .map(HttpClientResponse::statusCode)
        .await(10, TimeUnit.SECONDS);
  }
}
