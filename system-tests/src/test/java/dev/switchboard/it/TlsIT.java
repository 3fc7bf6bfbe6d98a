package dev.switchboard.it;

import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A TLS cluster of real JVMs with a certificate the test makes: the coordinator serves https (list and
 * SSE), the backends serve and advertise wss, the Java client trusts the certificate through
 * {@code trustCaPem}, and headless Chromium (trusting it through its flags) runs switchboard.js over
 * https SSE and wss.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsIT {

  @TempDir
  static Path dir;

  private static SelfSignedCertificate certificate;
  private static CoordinatorFixture fixture;
  private static TestCluster.BackendNode backends;
  private static HttpClient https;

  @BeforeAll
  static void start() throws Exception {
    certificate = SelfSignedCertificate.create(dir);
    String[] tls = {"--tls-cert", certificate.cert().toString(), "--tls-key", certificate.key().toString()};
    fixture = CoordinatorFixture.start("coordinator-tls", tls);
    backends = fixture.cluster().backendNode("backend-tls", 2, tls);
    https = HttpClient.newBuilder().sslContext(certificate.trustingContext()).connectTimeout(Duration.ofSeconds(5)).build();
    Http.await("2 backends listed over https", Duration.ofSeconds(20), () -> listed().size() == 2);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (backends != null) {
        backends.close();
      }
    } finally {
      if (fixture != null) {
        fixture.close();
      }
    }
  }

  private static JsonArray listed() throws Exception {
    HttpResponse<String> response = https.send(HttpRequest.newBuilder(URI.create(fixture.coordinator().base() + "/v1/backends"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body()).getJsonArray("backends");
  }

  @Test
  void theCoordinatorServesHttpsAndTheRecordsAdvertiseWss() throws Exception {
    assertTrue(fixture.coordinator().base().startsWith("https://"), fixture.coordinator().base());
    for (Object b : listed()) {
      assertTrue(((JsonObject) b).getString("url").startsWith("wss://127.0.0.1:"), ((JsonObject) b).encode());
    }
    // a client that does not trust the certificate gets no answer
    assertThrows(SSLHandshakeException.class, () -> Http.get(fixture.coordinator().base() + "/health/ready"));
  }

  @Test
  void theBackendsAnswerTheirHealthEndpointsOverHttps() throws Exception {
    for (Object b : listed()) {
      String url = ((JsonObject) b).getString("url").replaceFirst("^wss://", "https://").replaceFirst("/ws$", "/health/ready");
      HttpResponse<String> response = https.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), url + " " + response.body());
    }
  }

  @Test
  void theJavaClientTrustingTheCaExchangesMessagesOverWss() throws Exception {
    SwitchboardClientOptions options = new SwitchboardClientOptions().setCoordinators(List.of(fixture.coordinator().base()))
        .setIntervalMs(500).setTimeoutMs(2_000).setBaseMs(50).setMaxMs(1_000)
        .setTrustCaPem(certificate.cert().toString());
    List<JsonObject> gotA = new CopyOnWriteArrayList<>();
    List<JsonObject> gotB = new CopyOnWriteArrayList<>();
    SwitchboardClient a = new SwitchboardClient(fixture.vertx(), options).messageHandler(gotA::add);
    SwitchboardClient b = new SwitchboardClient(fixture.vertx(), options).messageHandler(gotB::add);
    try {
      a.start().await(30, TimeUnit.SECONDS);
      b.start().await(30, TimeUnit.SECONDS);
      assertTrue(a.backend().url().startsWith("wss://"), a.backend().url());
      a.join("tls").await(10, TimeUnit.SECONDS);
      b.join("tls").await(10, TimeUnit.SECONDS);
      a.publish("tls", "over wss").await(10, TimeUnit.SECONDS);
      Http.await("the message at B", Duration.ofSeconds(10),
          () -> gotB.stream().anyMatch(m -> "over wss".equals(m.getValue("data"))));
    } finally {
      a.close().await(10, TimeUnit.SECONDS);
      b.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void theBrowserModuleFollowsTheListOverHttpsSseAndTalksOverWss() throws Exception {
    try (Browser browser = Browser.start("--ignore-certificate-errors-spki-list=" + certificate.spkiSha256())) {
      BrowserPage.open(browser, fixture);
      JsonObject result = (JsonObject) BrowserPage.run(browser, """
          const a = await makeClient({ coordinators: [args[0]] });
          const b = await makeClient({ coordinators: [args[0]] });
          await a.join('tls');
          await b.join('tls');
          await a.publish('tls', 'over wss');
          await until('the message at b', () => b.got.some((m) => m.type === 'message' && m.data === 'over wss'));
          const r = { url: a.backend.url, listed: [...a.backends.values()].map((x) => x.url) };
          a.stop(); b.stop();
          return r;
          """, fixture.coordinator().base());
      assertTrue(result.getString("url").startsWith("wss://127.0.0.1:"), result.encode());
      assertEquals(2, result.getJsonArray("listed").size(), result.encode());
    }
  }
}
