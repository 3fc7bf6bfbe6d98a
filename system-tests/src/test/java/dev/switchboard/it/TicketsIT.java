package dev.switchboard.it;

import dev.switchboard.client.ClientState;
import dev.switchboard.client.ForbiddenException;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Future;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Identity at the door with the Java client and real JVMs: one coordinator (admin API on, a CORS origin
 * list) and a backend node taking HS256 tickets ({@code --ticket-secret}) and RS256 ones from a JWKS
 * file, with a browser-origin allowlist. Valid tickets are welcomed and their rooms decide joins and
 * publishes; missing, expired, wrongly signed and unsigned tickets get 401 with a JSON error; a client
 * stuck with a bad ticket retries without reporting the backends; a move asks for a fresh ticket, and
 * the new backend admits that one; an unlisted origin gets 403.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TicketsIT {

  private static final String TOKEN = "tickets-admin-token";
  private static final String LISTED = "https://app.example.com";

  private static CoordinatorFixture fixture;
  private static TicketMint mint;
  private static TestCluster.BackendNode node;
  private static WebSocketClient sockets;

  @BeforeAll
  static void start() throws Exception {
    mint = new TicketMint();
    Path jwks = Files.createTempFile("switchboard-it-jwks", ".json");
    Files.writeString(jwks, mint.jwks());
    fixture = CoordinatorFixture.start("coordinator-tickets", "--admin-token", TOKEN,
        "--allowed-origin", LISTED + ",http://localhost:5173");
    node = fixture.cluster().backendNode("backend-tickets", 2, "--ticket-secret", TicketMint.SECRET,
        "--ticket-jwks", jwks.toString(), "--allowed-origins", LISTED, "--rebalance", "false");
    fixture.awaitListed(2);
    sockets = fixture.vertx().createWebSocketClient();
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  /** The listed backends that take new connections. */
  private static List<BackendRecord> listed() throws Exception {
    return Http.getJson(fixture.coordinator().base() + "/v1/backends").getJsonArray("backends").stream()
        .map(o -> BackendRecord.fromJson((JsonObject) o)).filter(BackendRecord::choosable).toList();
  }

  private static SwitchboardClientOptions options() {
    return new SwitchboardClientOptions().setCoordinators(List.of(fixture.coordinator().base()))
        .setIntervalMs(500).setTimeoutMs(2_000).setBaseMs(50).setMaxMs(500);
  }

  /** Upgrades straight to a backend, with {@code ticket} (or none) and {@code origin} (or none). */
  private static Future<WebSocket> upgrade(String url, String ticket, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setAbsoluteURI(ticket == null ? url : url + "?ticket=" + ticket).setAllowOriginHeader(origin != null);
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return sockets.connect(options);
  }

  /** The refusal of an upgrade: its status and the {@code error} of its JSON body. */
  private static Map.Entry<Integer, String> refusal(Future<WebSocket> upgrade) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> upgrade.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    UpgradeRejectedException rejected = assertInstanceOfRejected(e.getCause());
    return Map.entry(rejected.getStatus(), new JsonObject(rejected.getBody()).getString("error"));
  }

  private static UpgradeRejectedException assertInstanceOfRejected(Throwable cause) {
    assertTrue(cause instanceof UpgradeRejectedException, String.valueOf(cause));
    return (UpgradeRejectedException) cause;
  }

  private static <T> Throwable failure(Future<T> future) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    return e.getCause();
  }

  @Test
  void validHs256AndRs256TicketsAreWelcomedAndTheirRoomsDecideJoinsAndPublishes() throws Exception {
    fixture.awaitListed(2);
    for (String kind : List.of("valid", "rs256")) {
      SwitchboardClient client = new SwitchboardClient(fixture.vertx(), options().setTicket(() -> Future.succeededFuture(mint.mint(kind))));
      try {
        client.start().await(20, TimeUnit.SECONDS);
        int n = mint.issued();
        client.join("lobby").await(10, TimeUnit.SECONDS);
        client.join("r-" + n).await(10, TimeUnit.SECONDS);
        assertTrue(client.publish("r-" + n, "hello").await(10, TimeUnit.SECONDS) >= 0);
        ForbiddenException join = (ForbiddenException) failure(client.join("admin"));
        assertEquals("admin", join.room());
        ForbiddenException publish = (ForbiddenException) failure(client.publish("lobby", "not mine to say"));
        assertEquals("lobby", publish.room());
        assertTrue(publish.id() instanceof String, kind);
      } finally {
        client.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void missingExpiredWronglySignedAndUnsignedTicketsGet401WithAJsonError() throws Exception {
    String url = listed().get(0).url();
    Map<String, String> expected = Map.of(
        "expired", "expired",
        "wrong-key", "signature does not verify",
        "unknown-rsa", "signature does not verify",
        "none", "not signed");
    for (Map.Entry<String, String> kind : expected.entrySet()) {
      Map.Entry<Integer, String> refused = refusal(upgrade(url, mint.mint(kind.getKey()), null));
      assertEquals(401, refused.getKey(), kind.getKey());
      assertTrue(refused.getValue().contains(kind.getValue()), kind.getKey() + ": " + refused.getValue());
    }
    Map.Entry<Integer, String> missing = refusal(upgrade(url, null, null));
    assertEquals(401, missing.getKey());
    assertTrue(missing.getValue().contains("ticket required"), missing.getValue());
    assertEquals(401, refusal(upgrade(url, "not-a-jwt", null)).getKey());
  }

  @Test
  void aClientWithAnExpiredTicketKeepsRetryingWithFreshOnesAndReportsNoBackend() throws Exception {
    fixture.awaitListed(2);
    AtomicInteger asked = new AtomicInteger();
    SwitchboardClient client = new SwitchboardClient(fixture.vertx(), options().setTicket(() -> {
      asked.incrementAndGet();
      return Future.succeededFuture(mint.mint("expired"));
    }));
    try {
      CompletableFuture<Void> started = client.start().toCompletionStage().toCompletableFuture();
      Http.await("several refused attempts", Duration.ofSeconds(20), () -> client.connectAttempts() >= 4);
      assertEquals(ClientState.OFFLINE, client.state());
      assertFalse(started.isDone());
      assertTrue(asked.get() >= 4, "a ticket per attempt: " + asked.get());
      // 401 proves the backend reachable: nothing reported, nothing quarantined
      for (BackendRecord b : listed()) {
        assertEquals(0, Http.getJson(fixture.coordinator().base() + "/v1/backends/" + b.id() + "/reports")
            .getInteger("reporters"), b.id());
      }
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aMoveAsksForAFreshTicketAndTheNewBackendAdmitsThatOne() throws Exception {
    fixture.awaitListed(2);
    AtomicInteger asked = new AtomicInteger();
    SwitchboardClient client = new SwitchboardClient(fixture.vertx(), options().setTicket(() -> {
      asked.incrementAndGet();
      return Future.succeededFuture(mint.next());
    }));
    try {
      client.start().await(20, TimeUnit.SECONDS);
      int first = mint.issued();
      client.join("lobby").await(10, TimeUnit.SECONDS);
      client.join("r-" + first).await(10, TimeUnit.SECONDS);
      BackendRecord before = client.backend();
      int askedBefore = asked.get();
      HttpResponse<String> drain = Http.post(fixture.coordinator().base() + "/v1/admin/backends/" + before.id()
          + "/drain?deadlineMs=3000", TOKEN, null);
      assertEquals(202, drain.statusCode(), drain.body());
      Http.await("the client moved off the drained backend", Duration.ofSeconds(20),
          () -> client.backend() != null && !client.backend().id().equals(before.id()));
      assertTrue(asked.get() > askedBefore, "the supplier was asked again for the move");
      int fresh = mint.issued();
      assertNotEquals(first, fresh);
      // only the fresh ticket allows r-<fresh>, only the old one r-<first>: the new backend admitted the fresh one
      client.join("r-" + fresh).await(10, TimeUnit.SECONDS);
      assertEquals("r-" + first, ((ForbiddenException) failure(client.join("r-" + first))).room());
      assertTrue(client.publish("r-" + fresh, "after the move").await(10, TimeUnit.SECONDS) >= 0);
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
      // the drained backend leaves: the node gets its second backend back for the other tests
      restoreTwoBackends();
    }
  }

  /** Scales the node back to two backends (a drained one has left it) and waits until both are listed, UP. */
  private static void restoreTwoBackends() throws Exception {
    String nodeId = listed().get(0).node();
    HttpResponse<String> scaled = Http.post(fixture.coordinator().base() + "/v1/admin/nodes/" + nodeId + "/scale", TOKEN,
        new JsonObject().put("instances", 2));
    assertEquals(200, scaled.statusCode(), scaled.body());
    Http.await("two UP backends again", Duration.ofSeconds(30), () -> listed().size() == 2
        && Http.getJson(fixture.coordinator().base() + "/v1/backends").getJsonArray("backends").size() == 2);
  }

  @Test
  void anUnlistedBrowserOriginGets403AndAListedOneIsWelcomed() throws Exception {
    String url = listed().get(0).url();
    Map.Entry<Integer, String> refused = refusal(upgrade(url, mint.next(), "https://evil.example"));
    assertEquals(403, refused.getKey());
    assertTrue(refused.getValue().contains("https://evil.example"), refused.getValue());
    WebSocket welcomed = upgrade(url, mint.next(), LISTED).await(10, TimeUnit.SECONDS);
    welcomed.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theCoordinatorEchoesAListedOriginWithVaryOriginAndNoOther() throws Exception {
    String backends = fixture.coordinator().base() + "/v1/backends";
    HttpResponse<String> listedOrigin = Http.get(backends, "Origin", LISTED);
    assertEquals(LISTED, listedOrigin.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertEquals("Origin", listedOrigin.headers().firstValue("Vary").orElse(null));
    HttpResponse<String> other = Http.get(backends, "Origin", "https://evil.example");
    assertEquals(200, other.statusCode());
    assertNull(other.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    assertEquals("Origin", other.headers().firstValue("Vary").orElse(null));
    assertEquals("http://localhost:5173", Http.get(backends, "Origin", "http://localhost:5173").headers()
        .firstValue("Access-Control-Allow-Origin").orElse(null));
  }

  @Test
  void aNodeWithoutATicketKeyAdmitsAnyoneAndWarnsOnce() throws Exception {
    fixture.awaitListed(2);
    try (TestCluster.BackendNode open = fixture.cluster().backendNode("backend-no-tickets", 2, "--rebalance", "false")) {
      assertEquals(1, open.process().count("tickets are off"), "one warning per node, not per backend");
      fixture.awaitListed(4);
      String url = listed().stream().filter(b -> b.id().equals(open.ids().get(0))).findFirst().orElseThrow().url();
      WebSocket welcomed = upgrade(url, null, "https://evil.example").await(10, TimeUnit.SECONDS);
      welcomed.close().await(10, TimeUnit.SECONDS);
    }
    fixture.awaitListed(2);
  }
}
