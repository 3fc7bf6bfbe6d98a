package dev.switchboard.it;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issues the signed tickets the backends of a ticket test verify: HS256 with {@link #SECRET} (what the
 * backends get as {@code --ticket-secret}), RS256 with an RSA key whose public half is {@link #jwks()},
 * and the wrong ones (expired, another key, unsigned). Ticket {@code n} (counted from 1 per mint) has
 * {@code sub} "user-n", {@code jti} "t-n" and may join {@code lobby} and {@code r-n} and publish to
 * {@code r-n}, so a backend's answer to a join tells which ticket admitted the connection.
 */
final class TicketMint {

  /** The backends' {@code --ticket-secret}. */
  static final String SECRET = "system-test-ticket-secret-0123456789";

  private final AtomicInteger issued = new AtomicInteger();
  private final RSAKey rsa;

  TicketMint() {
    try {
      rsa = new RSAKeyGenerator(2048).keyID("it-rsa").generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JWK Set (JSON) of the RS256 key, for {@code --ticket-jwks}. */
  String jwks() {
    return new JWKSet(rsa.toPublicJWK()).toString();
  }

  /** Tickets issued so far. */
  int issued() {
    return issued.get();
  }

  /** The next valid HS256 ticket. */
  String next() {
    return mint("valid");
  }

  /**
   * The next ticket of a kind: {@code valid}, {@code rs256}, {@code expired}, {@code wrong-key} (HS256
   * under another secret), {@code unknown-rsa} (RS256 under a key not in the JWKS), {@code none}
   * (unsigned) or {@code no-rooms}.
   */
  String mint(String kind) {
    int n = issued.incrementAndGet();
    long now = System.currentTimeMillis() / 1000;
    JsonObject claims = new JsonObject().put("sub", "user-" + n).put("jti", "t-" + n).put("exp", now + 600)
        .put("rooms", new JsonObject().put("join", new JsonArray(List.of("lobby", "r-" + n)))
            .put("publish", new JsonArray(List.of("r-" + n))));
    try {
      return switch (kind) {
        case "valid" -> hs256(claims, SECRET);
        case "no-rooms" -> hs256(claims.copy().put("rooms", null), SECRET);
        case "expired" -> hs256(claims.put("exp", now - 3_600), SECRET);
        case "wrong-key" -> hs256(claims, "another-secret-that-backends-do-not-know");
        case "rs256" -> sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), new RSASSASigner(rsa), claims);
        case "unknown-rsa" -> sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(),
            new RSASSASigner(new RSAKeyGenerator(2048).generate()), claims);
        case "none" -> base64url("{\"alg\":\"none\"}") + "." + base64url(claims.encode()) + ".";
        default -> throw new IllegalArgumentException("no ticket kind " + kind);
      };
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Serves {@code GET /ticket?kind=K} (default {@code valid}) to pages on any origin, the way an
   * application's own endpoint would hand its users tickets. Returns the bound port.
   */
  int serve(Vertx vertx) throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      String kind = request.getParam("kind", "valid");
      request.response().putHeader("Access-Control-Allow-Origin", "*").putHeader("Cache-Control", "no-store")
          .putHeader("Content-Type", "text/plain").end(mint(kind));
    });
    return server.listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS).actualPort();
  }

  private static String base64url(String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String hs256(JsonObject claims, String secret) throws JOSEException {
    return sign(new JWSHeader(JWSAlgorithm.HS256), new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), claims);
  }

  private static String sign(JWSHeader header, JWSSigner signer, JsonObject claims) throws JOSEException {
    JWSObject jws = new JWSObject(header, new Payload(claims.encode()));
    jws.sign(signer);
    return jws.serialize();
  }
}
