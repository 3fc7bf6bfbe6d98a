package dev.switchboard.backend.impl;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.switchboard.backend.Ticket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Verifies the tickets clients present at the WebSocket upgrade: a JWS-signed JWT, HS256 with the shared
 * secret, or RS256 / ES256 (P-256) with a configured public key or a key of a JWKS. Only the algorithms
 * of the configured keys are accepted (never {@code none}, never HS256 with a public key as the secret).
 * Claims: {@code sub} (non-empty string) and {@code exp} are required; {@code nbf} is honoured; {@code jti}
 * is optional; {@code rooms} ({@code {"join": [patterns], "publish": [patterns]}}, {@link RoomGlob}) is
 * optional and absent means no room. Clocks may differ by {@link #CLOCK_SKEW_SECONDS}. Thread-safe.
 */
public final class TicketVerifier {

  private static final Logger log = LoggerFactory.getLogger(TicketVerifier.class);

  /** Leeway on {@code exp} and {@code nbf} for clocks that differ between the issuer and the backend. */
  public static final long CLOCK_SKEW_SECONDS = 30;
  /** A longer ticket is refused unread (the request line is capped at 4,096 bytes anyway). */
  public static final int MAX_TICKET_CHARS = 4_096;
  /** The most patterns {@code rooms.join} or {@code rooms.publish} may list. */
  public static final int MAX_PATTERNS = 64;
  /** HMAC keys shorter than this are refused: HS256 needs 256 bits. */
  public static final int MIN_SECRET_BYTES = 32;
  private static final int MIN_RSA_BITS = 2048;
  /** The latest {@code exp} we represent: 9999-12-31T23:59:59Z. */
  private static final long MAX_EPOCH_SECONDS = 253_402_300_799L;

  /** Why a ticket was refused. */
  public enum Reason {
    /** No {@code ticket} parameter. */
    MISSING,
    /** Not a JWT, bad JSON, bad header type, or too long. */
    MALFORMED,
    /** Unsigned, encrypted, or signed with an algorithm no configured key accepts. */
    ALGORITHM,
    /** The signature does not verify with any configured key. */
    SIGNATURE,
    /** {@code exp} has passed. */
    EXPIRED,
    /** A claim is missing or invalid, or the ticket is not valid yet. */
    CLAIMS
  }

  /** A refused ticket: the reason and a message fit for the client (the 401 body). */
  public static final class Rejected extends Exception {
    private final Reason reason;

    public Rejected(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    public Reason reason() {
      return reason;
    }
  }

  private final Set<JWSAlgorithm> algorithms;
  /** The secret and the PEM key have no kid; JWKS keys usually have one. */
  private final List<JWK> keys;
  private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();
  private final Clock clock;

  private TicketVerifier(List<JWK> keys, Set<JWSAlgorithm> algorithms, Clock clock) {
    this.algorithms = Set.copyOf(algorithms);
    this.keys = List.copyOf(keys);
    this.clock = clock;
  }

  /** Whether any key is given, i.e. whether tickets are on. */
  public static boolean configured(String secret, String publicKeyPem, String jwks) {
    return secret != null || publicKeyPem != null || jwks != null;
  }

  /**
   * A verifier for the given keys, any of which may be null (but not all).
   *
   * @param secret the HS256 shared secret, at least {@link #MIN_SECRET_BYTES} bytes in UTF-8
   * @param publicKeyPem a PEM {@code PUBLIC KEY} (RSA of 2048 bits or more, or EC P-256) or {@code CERTIFICATE}
   * @param jwks a JWK Set (JSON); its RSA and EC P-256 signing keys are used, others ignored
   * @throws IllegalArgumentException when a key cannot be read or is unfit, or none is given
   */
  public static TicketVerifier create(String secret, String publicKeyPem, String jwks, Clock clock) {
    List<JWK> keys = new ArrayList<>();
    if (secret != null) {
      byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
      if (bytes.length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException("ticket secret must be at least " + MIN_SECRET_BYTES + " bytes (HS256 needs "
            + "a 256-bit key), got " + bytes.length);
      }
      keys.add(new OctetSequenceKey.Builder(bytes).keyUse(KeyUse.SIGNATURE).build());
    }
    if (publicKeyPem != null) {
      keys.add(fit(publicJwk(readPem(publicKeyPem)), "the ticket public key"));
    }
    if (jwks != null) {
      keys.addAll(readJwks(jwks));
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no ticket key given: a secret, a public key or a JWKS");
    }
    Set<JWSAlgorithm> algorithms = new LinkedHashSet<>();
    for (JWK key : keys) {
      algorithms.add(algorithm(key));
    }
    return new TicketVerifier(keys, algorithms, clock);
  }

  /** The algorithms a ticket may be signed with here. */
  public Set<String> algorithms() {
    return algorithms.stream().map(JWSAlgorithm::getName).collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * Verifies a ticket (the {@code ticket} query parameter, already URL-decoded).
   *
   * @throws Rejected with the reason and a message for the client
   */
  public Ticket verify(String token) throws Rejected {
    if (token == null || token.isEmpty()) {
      throw new Rejected(Reason.MISSING, "ticket required: connect with ?ticket=<signed JWT>");
    }
    if (token.length() > MAX_TICKET_CHARS) {
      throw new Rejected(Reason.MALFORMED, "ticket longer than " + MAX_TICKET_CHARS + " characters");
    }
    JWT jwt;
    try {
      jwt = JWTParser.parse(token);
    } catch (ParseException e) {
      throw new Rejected(Reason.MALFORMED, "ticket is not a JWT");
    }
    if (!(jwt instanceof SignedJWT signed)) {
      throw new Rejected(Reason.ALGORITHM, "ticket is not signed (alg none and encrypted tickets are refused)");
    }
    JWSHeader header = signed.getHeader();
    if (!algorithms.contains(header.getAlgorithm())) {
      throw new Rejected(Reason.ALGORITHM, "ticket algorithm " + header.getAlgorithm() + " is not accepted here "
          + "(accepted: " + String.join(", ", algorithms()) + ")");
    }
    if (header.getType() != null && !"JWT".equalsIgnoreCase(header.getType().getType())) {
      throw new Rejected(Reason.MALFORMED, "ticket type must be JWT, got " + header.getType());
    }
    verifySignature(signed, header);
    return claims(signed);
  }

  /**
   * Tries the keys of the ticket's algorithm: a key with a kid only for a ticket with the same kid (or
   * none), a key without one (the secret, the PEM key) for any ticket.
   */
  private void verifySignature(SignedJWT signed, JWSHeader header) throws Rejected {
    String kid = header.getKeyID();
    List<JWK> candidates = keys.stream()
        .filter(k -> algorithm(k).equals(header.getAlgorithm()))
        .filter(k -> kid == null || k.getKeyID() == null || kid.equals(k.getKeyID()))
        .toList();
    for (JWK key : candidates) {
      try {
        if (signed.verify(verifiers.createJWSVerifier(header, javaKey(key)))) {
          return;
        }
      } catch (JOSEException e) {
        log.debug("ticket key {} cannot verify {}: {}", key.getKeyID(), header.getAlgorithm(), e.toString());
      }
    }
    throw new Rejected(Reason.SIGNATURE, candidates.isEmpty() && header.getKeyID() != null
        ? "no ticket key with kid '" + clip(header.getKeyID()) + "'"
        : "ticket signature does not verify with any configured key");
  }

  private Ticket claims(SignedJWT signed) throws Rejected {
    JsonObject claims;
    try {
      claims = new JsonObject(signed.getPayload().toString());
    } catch (DecodeException | ClassCastException e) {
      throw new Rejected(Reason.MALFORMED, "ticket claims are not a JSON object");
    }
    if (!(claims.getValue("sub") instanceof String subject) || subject.isEmpty()) {
      throw new Rejected(Reason.CLAIMS, "ticket claim 'sub' (a non-empty string) is required");
    }
    if (claims.getValue("exp") == null) {
      throw new Rejected(Reason.CLAIMS, "ticket claim 'exp' is required");
    }
    long now = clock.instant().getEpochSecond();
    long exp = epochSeconds(claims, "exp");
    if (now > exp + CLOCK_SKEW_SECONDS) {
      throw new Rejected(Reason.EXPIRED, "ticket expired at " + Instant.ofEpochSecond(exp));
    }
    if (claims.getValue("nbf") != null && epochSeconds(claims, "nbf") > now + CLOCK_SKEW_SECONDS) {
      throw new Rejected(Reason.CLAIMS, "ticket not valid before " + Instant.ofEpochSecond(epochSeconds(claims, "nbf")));
    }
    Object jti = claims.getValue("jti");
    if (jti != null && !(jti instanceof String)) {
      throw new Rejected(Reason.CLAIMS, "ticket claim 'jti' must be a string");
    }
    Object rooms = claims.getValue("rooms");
    if (rooms != null && !(rooms instanceof JsonObject)) {
      throw new Rejected(Reason.CLAIMS, "ticket claim 'rooms' must be an object {\"join\": [...], \"publish\": [...]}");
    }
    JsonObject r = rooms == null ? new JsonObject() : (JsonObject) rooms;
    return new Ticket(subject, Instant.ofEpochSecond(exp), (String) jti, patterns(r, "join"), patterns(r, "publish"),
        claims);
  }

  private static long epochSeconds(JsonObject claims, String name) throws Rejected {
    if (!(claims.getValue(name) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw new Rejected(Reason.CLAIMS, "ticket claim '" + name + "' must be a number of seconds since the epoch");
    }
    return (long) Math.max(0, Math.min(n.doubleValue(), MAX_EPOCH_SECONDS));
  }

  private static List<String> patterns(JsonObject rooms, String action) throws Rejected {
    Object value = rooms.getValue(action);
    if (value == null) {
      return List.of();
    }
    String expected = "ticket claim 'rooms." + action + "' must be an array of at most " + MAX_PATTERNS
        + " room patterns ([A-Za-z0-9._:-] and *)";
    if (!(value instanceof JsonArray array) || array.size() > MAX_PATTERNS) {
      throw new Rejected(Reason.CLAIMS, expected);
    }
    List<String> patterns = new ArrayList<>(array.size());
    for (Object p : array) {
      if (!(p instanceof String s) || !RoomGlob.isValid(s)) {
        throw new Rejected(Reason.CLAIMS, expected);
      }
      patterns.add(s);
    }
    return patterns;
  }

  // ---- keys -----------------------------------------------------------------------------------

  /** The one algorithm each kind of key verifies here (fit keys only: oct, RSA, EC P-256). */
  private static JWSAlgorithm algorithm(JWK key) {
    return key instanceof OctetSequenceKey ? JWSAlgorithm.HS256
        : key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
  }

  private static Key javaKey(JWK key) throws JOSEException {
    if (key instanceof OctetSequenceKey oct) {
      return oct.toSecretKey("HmacSHA256");
    }
    return key instanceof RSAKey rsa ? rsa.toRSAPublicKey() : ((ECKey) key).toECPublicKey();
  }

  private static PublicKey readPem(String pem) {
    String text = pem.trim();
    try {
      if (text.startsWith("-----BEGIN CERTIFICATE-----")) {
        return CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII))).getPublicKey();
      }
      String begin = "-----BEGIN PUBLIC KEY-----";
      String end = "-----END PUBLIC KEY-----";
      if (!text.startsWith(begin) || !text.contains(end)) {
        throw new IllegalArgumentException("the ticket public key must be a PEM 'PUBLIC KEY' (SubjectPublicKeyInfo) "
            + "or 'CERTIFICATE'" + (text.startsWith("-----BEGIN RSA PUBLIC KEY-----")
            ? "; convert PKCS#1 with: openssl rsa -RSAPublicKey_in -in key.pem -pubout" : ""));
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(text.substring(begin.length(), text.indexOf(end)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("the ticket public key's PEM body is not base64: " + e.getMessage(), e);
      }
      for (String algorithm : List.of("RSA", "EC")) {
        try {
          return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
          // not this key type: try the next
        }
      }
      throw new IllegalArgumentException("the ticket public key is neither an RSA nor an EC key");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the ticket public key: " + e.getMessage(), e);
    }
  }

  private static JWK publicJwk(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return new RSAKey.Builder(rsa).keyUse(KeyUse.SIGNATURE).build();
    }
    if (key instanceof ECPublicKey ec) {
      Curve curve = Curve.forECParameterSpec(ec.getParams());
      if (curve == null) {
        throw new IllegalArgumentException("the ticket public key's EC curve is not a named curve");
      }
      return new ECKey.Builder(curve, ec).keyUse(KeyUse.SIGNATURE).build();
    }
    throw new IllegalArgumentException("the ticket public key must be RSA or EC, got " + key.getAlgorithm());
  }

  /** The key if it can check RS256 or ES256 tickets, else an IllegalArgumentException naming {@code what}. */
  private static JWK fit(JWK key, String what) {
    if (key instanceof RSAKey rsa && rsa.size() < MIN_RSA_BITS) {
      throw new IllegalArgumentException(what + " is RSA of " + rsa.size() + " bits; at least " + MIN_RSA_BITS
          + " are required");
    }
    if (key instanceof ECKey ec && !Curve.P_256.equals(ec.getCurve())) {
      throw new IllegalArgumentException(what + " is EC on " + ec.getCurve() + "; ES256 needs P-256");
    }
    if (!(key instanceof RSAKey || key instanceof ECKey)) {
      throw new IllegalArgumentException(what + " must be an RSA or EC key, got " + key.getKeyType());
    }
    return key;
  }

  private static List<JWK> readJwks(String json) {
    JWKSet set;
    try {
      set = JWKSet.parse(json);
    } catch (ParseException e) {
      throw new IllegalArgumentException("the ticket JWKS is not a JWK Set: " + e.getMessage(), e);
    }
    List<JWK> keys = new ArrayList<>();
    for (JWK key : set.getKeys()) {
      String id = key.getKeyID() == null ? "without kid" : "'" + key.getKeyID() + "'";
      if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
        log.info("ticket JWKS: key {} is not for signatures; ignored", id);
        continue;
      }
      if (key instanceof OctetSequenceKey) {
        log.warn("ticket JWKS: key {} is a symmetric key; ignored (use --ticket-secret for HS256)", id);
        continue;
      }
      try {
        keys.add(fit(key.toPublicJWK(), "ticket JWKS key " + id));
      } catch (IllegalArgumentException e) {
        log.warn("{}; ignored", e.getMessage());
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("the ticket JWKS holds no RSA (2048+ bits) or EC P-256 signing key");
    }
    return keys;
  }

  private static String clip(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
  }
}
