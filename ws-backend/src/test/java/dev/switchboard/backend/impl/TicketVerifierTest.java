package dev.switchboard.backend.impl;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.switchboard.backend.Ticket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TicketVerifierTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef-test";
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private static RSAKey rsa;
  private static RSAKey otherRsa;
  private static ECKey ec;

  @BeforeAll
  static void keys() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    otherRsa = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
  }

  private static JsonObject claims() {
    return new JsonObject().put("sub", "alice").put("exp", NOW.getEpochSecond() + 300).put("jti", "t-1")
        .put("rooms", new JsonObject().put("join", new JsonArray().add("lobby").add("team-*"))
            .put("publish", new JsonArray().add("team-*")));
  }

  /** Signs any payload, well-formed or not, with {@code header}. */
  private static String sign(JWSHeader header, JWSSigner signer, JsonObject payload) throws Exception {
    JWSObject jws = new JWSObject(header, new Payload(payload.encode()));
    jws.sign(signer);
    return jws.serialize();
  }

  private static String hs256(JsonObject payload) throws Exception {
    return sign(new JWSHeader(JWSAlgorithm.HS256), new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), payload);
  }

  private static String rs256(RSAKey key, JsonObject payload) throws Exception {
    return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), new RSASSASigner(key), payload);
  }

  private static String es256(JsonObject payload) throws Exception {
    return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), new ECDSASigner(ec), payload);
  }

  private static String pem(PublicKey key) {
    return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
  }

  private static TicketVerifier secret() {
    return TicketVerifier.create(SECRET, null, null, CLOCK);
  }

  private static TicketVerifier.Reason reason(TicketVerifier verifier, String token) {
    return assertThrows(TicketVerifier.Rejected.class, () -> verifier.verify(token)).reason();
  }

  // ---- valid ----------------------------------------------------------------------------------

  @Test
  void aValidHs256TicketGivesItsSubjectIdExpiryAndRooms() throws Exception {
    Ticket ticket = secret().verify(hs256(claims()));
    assertEquals("alice", ticket.subject());
    assertEquals("t-1", ticket.id());
    assertEquals(NOW.plusSeconds(300), ticket.expiresAt());
    assertEquals(List.of("lobby", "team-*"), ticket.join());
    assertEquals(List.of("team-*"), ticket.publish());
    assertEquals("alice", ticket.claims().getString("sub"));
    assertTrue(ticket.mayJoin("lobby") && ticket.mayJoin("team-7") && ticket.mayPublish("team-7"));
    assertFalse(ticket.mayPublish("lobby") || ticket.mayJoin("lobby-2") || ticket.mayJoin("admin"));
  }

  @Test
  void aValidRs256TicketVerifiesWithThePemPublicKey() throws Exception {
    TicketVerifier verifier = TicketVerifier.create(null, pem(rsa.toRSAPublicKey()), null, CLOCK);
    assertEquals("alice", verifier.verify(rs256(rsa, claims())).subject());
    assertEquals(Set.of("RS256"), verifier.algorithms());
  }

  @Test
  void aValidEs256TicketVerifiesWithThePemPublicKey() throws Exception {
    TicketVerifier verifier = TicketVerifier.create(null, pem(ec.toECPublicKey()), null, CLOCK);
    assertEquals("alice", verifier.verify(es256(claims())).subject());
  }

  @Test
  void aJwksVerifiesTicketsOfEachOfItsKeysChosenByKid() throws Exception {
    String jwks = new JWKSet(List.of(rsa.toPublicJWK(), otherRsa.toPublicJWK(), ec.toPublicJWK())).toString();
    TicketVerifier verifier = TicketVerifier.create(null, null, jwks, CLOCK);
    assertEquals("alice", verifier.verify(rs256(rsa, claims())).subject());
    assertEquals("alice", verifier.verify(rs256(otherRsa, claims())).subject());
    assertEquals("alice", verifier.verify(es256(claims())).subject());
    assertEquals(Set.of("ES256", "RS256"), verifier.algorithms());
  }

  @Test
  void aTicketWithoutRoomsMayJoinAndPublishNowhere() throws Exception {
    Ticket ticket = secret().verify(hs256(claims().copy().put("rooms", null)));
    assertFalse(ticket.mayJoin("lobby"));
    assertFalse(ticket.mayPublish("lobby"));
    assertNull(secret().verify(hs256(claims().copy().put("jti", null))).id());
  }

  @Test
  void aTicketExpiredWithinTheClockSkewStillAdmits() throws Exception {
    long exp = NOW.getEpochSecond() - TicketVerifier.CLOCK_SKEW_SECONDS + 1;
    assertEquals("alice", secret().verify(hs256(claims().put("exp", exp))).subject());
    assertEquals("alice", secret().verify(hs256(claims().put("exp", exp + 0.5))).subject());
  }

  // ---- refused --------------------------------------------------------------------------------

  @Test
  void anExpiredTicketIsRefused() throws Exception {
    long exp = NOW.getEpochSecond() - TicketVerifier.CLOCK_SKEW_SECONDS - 1;
    TicketVerifier.Rejected e = assertThrows(TicketVerifier.Rejected.class,
        () -> secret().verify(hs256(claims().put("exp", exp))));
    assertEquals(TicketVerifier.Reason.EXPIRED, e.reason());
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void aTicketNotValidYetIsRefused() throws Exception {
    assertEquals(TicketVerifier.Reason.CLAIMS,
        reason(secret(), hs256(claims().put("nbf", NOW.getEpochSecond() + TicketVerifier.CLOCK_SKEW_SECONDS + 5))));
    assertEquals("alice", secret().verify(hs256(claims().put("nbf", NOW.getEpochSecond() + 5))).subject());
  }

  @Test
  void aTicketSignedWithAnotherKeyIsRefused() throws Exception {
    String other = sign(new JWSHeader(JWSAlgorithm.HS256),
        new MACSigner("another-secret-another-secret-another".getBytes(StandardCharsets.UTF_8)), claims());
    assertEquals(TicketVerifier.Reason.SIGNATURE, reason(secret(), other));
    TicketVerifier rsaOnly = TicketVerifier.create(null, pem(rsa.toRSAPublicKey()), null, CLOCK);
    assertEquals(TicketVerifier.Reason.SIGNATURE, reason(rsaOnly, rs256(otherRsa, claims())));
    TicketVerifier jwks = TicketVerifier.create(null, null, new JWKSet(rsa.toPublicJWK()).toString(), CLOCK);
    TicketVerifier.Rejected e = assertThrows(TicketVerifier.Rejected.class, () -> jwks.verify(rs256(otherRsa, claims())));
    assertEquals(TicketVerifier.Reason.SIGNATURE, e.reason());
    assertTrue(e.getMessage().contains("rsa-2"), e.getMessage());
  }

  @Test
  void aTamperedTicketIsRefused() throws Exception {
    String[] parts = hs256(claims()).split("\\.");
    String forged = Base64URL.encode(claims().put("rooms", new JsonObject().put("join", new JsonArray().add("*"))).encode())
        .toString();
    assertEquals(TicketVerifier.Reason.SIGNATURE, reason(secret(), parts[0] + "." + forged + "." + parts[2]));
  }

  @Test
  void anUnsignedTicketIsRefused() throws Exception {
    String header = Base64URL.encode("{\"alg\":\"none\"}").toString();
    String body = Base64URL.encode(claims().encode()).toString();
    assertEquals(TicketVerifier.Reason.ALGORITHM, reason(secret(), header + "." + body + "."));
    // "none" with a signature attached, for parsers that look only at the part count
    assertEquals(TicketVerifier.Reason.MALFORMED, reason(secret(), header + "." + body + ".c2ln"));
  }

  @Test
  void anAlgorithmNoConfiguredKeyAcceptsIsRefused() throws Exception {
    byte[] longSecret = (SECRET + SECRET).getBytes(StandardCharsets.UTF_8);
    assertEquals(TicketVerifier.Reason.ALGORITHM,
        reason(secret(), sign(new JWSHeader(JWSAlgorithm.HS384), new MACSigner(longSecret), claims())));
    assertEquals(TicketVerifier.Reason.ALGORITHM, reason(secret(), rs256(rsa, claims())));
    assertEquals(TicketVerifier.Reason.ALGORITHM, reason(secret(), es256(claims())));
  }

  @Test
  void anHs256TicketKeyedWithThePublicKeyIsRefused() throws Exception {
    // the classic confusion: the public key, which anyone has, used as the HMAC secret
    String publicPem = pem(rsa.toRSAPublicKey());
    TicketVerifier verifier = TicketVerifier.create(null, publicPem, null, CLOCK);
    String forged = sign(new JWSHeader(JWSAlgorithm.HS256), new MACSigner(publicPem.getBytes(StandardCharsets.US_ASCII)),
        claims());
    assertEquals(TicketVerifier.Reason.ALGORITHM, reason(verifier, forged));
  }

  @Test
  void missingOrInvalidClaimsAreRefused() throws Exception {
    for (JsonObject bad : List.of(
        claims().copy().put("sub", null),
        claims().copy().put("sub", ""),
        claims().copy().put("sub", 42),
        claims().copy().put("exp", null),
        claims().copy().put("exp", "tomorrow"),
        claims().copy().put("jti", 7),
        claims().copy().put("rooms", new JsonArray().add("lobby")),
        claims().copy().put("rooms", new JsonObject().put("join", "lobby")),
        claims().copy().put("rooms", new JsonObject().put("join", new JsonArray().add("bad room"))),
        claims().copy().put("rooms", new JsonObject().put("publish", new JsonArray().add(1))),
        claims().copy().put("rooms", new JsonObject().put("join", new JsonArray(java.util.Collections.nCopies(65, "a")))))) {
      assertEquals(TicketVerifier.Reason.CLAIMS, reason(secret(), hs256(bad)), bad.encode());
    }
  }

  @Test
  void aMissingMalformedOrForeignTicketIsRefused() throws Exception {
    assertEquals(TicketVerifier.Reason.MISSING, reason(secret(), null));
    assertEquals(TicketVerifier.Reason.MISSING, reason(secret(), ""));
    assertEquals(TicketVerifier.Reason.MALFORMED, reason(secret(), "not-a-jwt"));
    assertEquals(TicketVerifier.Reason.MALFORMED, reason(secret(), "a.b.c"));
    assertEquals(TicketVerifier.Reason.MALFORMED, reason(secret(), "x".repeat(TicketVerifier.MAX_TICKET_CHARS + 1)));
    String notJwt = sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(new JOSEObjectType("at+jwt")).build(),
        new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), claims());
    assertEquals(TicketVerifier.Reason.MALFORMED, reason(secret(), notJwt));
    String typed = sign(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
        new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)), claims());
    assertEquals("alice", secret().verify(typed).subject());
  }

  // ---- configuration --------------------------------------------------------------------------

  @Test
  void unfitKeysAreRefusedAtStart() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> TicketVerifier.create("short", null, null, CLOCK));
    assertThrows(IllegalArgumentException.class, () -> TicketVerifier.create(null, "-----BEGIN PUBLIC KEY-----\nnope\n"
        + "-----END PUBLIC KEY-----", null, CLOCK));
    assertThrows(IllegalArgumentException.class, () -> TicketVerifier.create(null, "not a pem", null, CLOCK));
    KeyPairGenerator weak = KeyPairGenerator.getInstance("RSA");
    weak.initialize(1024);
    assertThrows(IllegalArgumentException.class, () -> TicketVerifier.create(null, pem(weak.generateKeyPair().getPublic()),
        null, CLOCK));
    KeyPairGenerator p384 = KeyPairGenerator.getInstance("EC");
    p384.initialize(new ECGenParameterSpec("secp384r1"));
    assertThrows(IllegalArgumentException.class, () -> TicketVerifier.create(null, pem(p384.generateKeyPair().getPublic()),
        null, CLOCK));
    String symmetricOnly = new JWKSet(new OctetSequenceKeyGenerator(256).generate()).toString(false);
    assertThrows(IllegalArgumentException.class, () -> TicketVerifier.create(null, null, symmetricOnly, CLOCK));
    assertThrows(IllegalArgumentException.class, () -> TicketVerifier.create(null, null, "{\"keys\": 1}", CLOCK));
    assertThrows(IllegalArgumentException.class, () -> TicketVerifier.create(null, null, null, CLOCK));
  }
}
