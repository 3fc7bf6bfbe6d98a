package dev.switchboard.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Signs and checks what cluster members tell each other, so that a process that reaches Hazelcast or
 * the event bus without the cluster secret can neither list a backend, nor run a control command, nor
 * fake a node's liveness or a client's report. HMAC-SHA256, with one key per purpose derived from the
 * secret. Pure (the clock is passed in) and thread-safe.
 *
 * <ul>
 *   <li>Registry record: the record's JSON plus {@code "sig"}, the HMAC of the canonical text of the
 *       rest (keys sorted at every level, compact). The map key is the record's {@code id}, which
 *       readers already check.</li>
 *   <li>Event-bus message: the body plus {@code "ts"} (epoch ms), {@code "nonce"} (random) and
 *       {@code "sig"}, the HMAC of the address and the canonical text of the rest. Accepted within
 *       {@link #MAX_SKEW_MS} of the receiver's clock, and once per receiver.</li>
 * </ul>
 * Without a secret ({@link #none()}) nothing is signed and everything is accepted as it is.
 */
public final class ClusterSigner {

  public static final String SIG = "sig";
  public static final String TS = "ts";
  public static final String NONCE = "nonce";
  /** A signed message whose timestamp is further than this from the receiver's clock is refused. */
  public static final long MAX_SKEW_MS = 30_000;

  private static final String HMAC = "HmacSHA256";
  private static final int NONCE_BYTES = 16;
  private static final int PRUNE_MIN = 4_096;
  private static final ClusterSigner NONE = new ClusterSigner();

  /** Why a signed value was refused. */
  public enum Failure {
    /** No signature where one is required. */
    MISSING,
    /** A signature, timestamp or nonce of the wrong type or encoding. */
    MALFORMED,
    /** The signature does not match: another key, or the content was changed. */
    BAD_SIGNATURE,
    /** The timestamp is outside the accepted window. */
    EXPIRED,
    /** This receiver already accepted a message with this nonce. */
    REPLAYED
  }

  /** A record or message refused by {@link #openRecord} or {@link #openMessage}. */
  public static final class InvalidSignatureException extends Exception {
    private final Failure failure;

    public InvalidSignatureException(Failure failure, String message) {
      super(message);
      this.failure = failure;
    }

    public Failure failure() {
      return failure;
    }
  }

  private final SecretKeySpec recordKey;
  private final SecretKeySpec messageKey;
  private final LongSupplier clockMs;
  private final SecureRandom random;
  /** Nonces of accepted messages → when their timestamp leaves the window (epoch ms). */
  private final Map<String, Long> seen = new ConcurrentHashMap<>();
  private final AtomicInteger pruneAt = new AtomicInteger(PRUNE_MIN);

  private ClusterSigner() {
    this.recordKey = null;
    this.messageKey = null;
    this.clockMs = System::currentTimeMillis;
    this.random = null;
  }

  private ClusterSigner(String secret, LongSupplier clockMs) {
    if (secret == null || secret.isEmpty()) {
      throw new IllegalArgumentException("the cluster secret must not be empty");
    }
    byte[] master = hmac(secret.getBytes(StandardCharsets.UTF_8), "switchboard cluster secret v1");
    this.recordKey = new SecretKeySpec(hmac(master, "registry record"), HMAC);
    this.messageKey = new SecretKeySpec(hmac(master, "event-bus message"), HMAC);
    this.clockMs = clockMs;
    this.random = new SecureRandom();
  }

  /** No secret: signs nothing, accepts everything (the loopback default). */
  public static ClusterSigner none() {
    return NONE;
  }

  /** A signer for {@code secret}, or {@link #none()} when it is null or empty. */
  public static ClusterSigner of(String secret) {
    return secret == null || secret.isEmpty() ? NONE : new ClusterSigner(secret, System::currentTimeMillis);
  }

  /** A signer for {@code secret} with the given clock (epoch milliseconds), for tests. */
  public static ClusterSigner of(String secret, LongSupplier clockMs) {
    return new ClusterSigner(secret, clockMs);
  }

  /** Whether this signer has a secret (signs and checks) or none (passes everything through). */
  public boolean enabled() {
    return recordKey != null;
  }

  /** The text to store in the registry for {@code record}: its JSON, signed when there is a secret. */
  public String sealRecord(JsonObject record) {
    if (!enabled()) {
      return record.encode();
    }
    JsonObject sealed = record.copy();
    sealed.remove(SIG);
    return sealed.put(SIG, mac(recordKey, canonical(sealed))).encode();
  }

  /**
   * Parses a stored registry value and checks its signature; returns the record's JSON without it.
   *
   * @throws io.vertx.core.json.DecodeException when the text is not JSON
   * @throws InvalidSignatureException when there is a secret and the signature is missing or wrong
   */
  public JsonObject openRecord(String text) throws InvalidSignatureException {
    JsonObject json = new JsonObject(text);
    if (!enabled()) {
      return json;
    }
    Object sig = json.remove(SIG);
    if (sig == null) {
      throw new InvalidSignatureException(Failure.MISSING, "record is not signed");
    }
    verify(recordKey, canonical(json), sig);
    return json;
  }

  /** {@code body} ready to send to {@code address}: with a timestamp, a nonce and a signature when there is a secret. */
  public JsonObject sealMessage(String address, JsonObject body) {
    if (!enabled()) {
      return body;
    }
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    JsonObject sealed = body.copy();
    sealed.remove(SIG);
    sealed.put(TS, clockMs.getAsLong()).put(NONCE, Base64.getUrlEncoder().withoutPadding().encodeToString(nonce));
    return sealed.put(SIG, mac(messageKey, address + "\n" + canonical(sealed)));
  }

  /**
   * Checks a message received on {@code address}: signature, timestamp window and first use of its
   * nonce. Returns the body without {@code ts}, {@code nonce} and {@code sig}.
   *
   * @throws InvalidSignatureException when there is a secret and the message is not one a member sent
   *     to this address within the window, or was already accepted here
   */
  public JsonObject openMessage(String address, JsonObject sealed) throws InvalidSignatureException {
    if (!enabled()) {
      return sealed;
    }
    if (sealed == null || sealed.getValue(SIG) == null) {
      throw new InvalidSignatureException(Failure.MISSING, "message is not signed");
    }
    JsonObject body = sealed.copy();
    Object sig = body.remove(SIG);
    verify(messageKey, address + "\n" + canonical(body), sig);
    if (!(body.getValue(TS) instanceof Number ts) || ts instanceof Double || ts instanceof Float
        || !(body.getValue(NONCE) instanceof String nonce)) {
      throw new InvalidSignatureException(Failure.MALFORMED, "message has no integer ts or no string nonce");
    }
    long now = clockMs.getAsLong();
    long off = now - ts.longValue();
    if (Math.abs(off) > MAX_SKEW_MS) {
      throw new InvalidSignatureException(Failure.EXPIRED, "message timestamp is " + Math.abs(off) + " ms "
          + (off > 0 ? "old" : "ahead") + " (limit ±" + MAX_SKEW_MS + " ms: are the members' clocks in sync?)");
    }
    if (seen.putIfAbsent(nonce, ts.longValue() + MAX_SKEW_MS) != null) {
      throw new InvalidSignatureException(Failure.REPLAYED, "message was already received (nonce " + nonce + ")");
    }
    prune(now);
    body.remove(TS);
    body.remove(NONCE);
    return body;
  }

  /** Nonces still remembered (their messages are inside the window). */
  int remembered() {
    return seen.size();
  }

  /** Forgets nonces whose messages the window refuses anyway, whenever the set doubled since the last pass. */
  private void prune(long now) {
    int limit = pruneAt.get();
    if (seen.size() > limit && pruneAt.compareAndSet(limit, Integer.MAX_VALUE)) {
      seen.values().removeIf(expiry -> expiry < now);
      pruneAt.set(Math.max(PRUNE_MIN, 2 * seen.size()));
    }
  }

  private static void verify(SecretKeySpec key, String text, Object sig) throws InvalidSignatureException {
    if (!(sig instanceof String s)) {
      throw new InvalidSignatureException(Failure.MALFORMED, "sig must be a string");
    }
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new InvalidSignatureException(Failure.MALFORMED, "sig is not base64url");
    }
    if (!MessageDigest.isEqual(given, hmac(key, text))) {
      throw new InvalidSignatureException(Failure.BAD_SIGNATURE, "signature does not match (another secret, or changed content)");
    }
  }

  private static String mac(SecretKeySpec key, String text) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key, text));
  }

  /** The text a signature covers: compact JSON with the keys of every object sorted. */
  static String canonical(JsonObject json) {
    return ((JsonObject) sorted(json)).encode();
  }

  private static Object sorted(Object value) {
    if (value instanceof JsonObject object) {
      JsonObject out = new JsonObject();
      for (String name : new TreeSet<>(object.fieldNames())) {
        out.put(name, sorted(object.getValue(name)));
      }
      return out;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      for (int i = 0; i < array.size(); i++) {
        out.add(sorted(array.getValue(i)));
      }
      return out;
    }
    return value;
  }

  private static byte[] hmac(byte[] key, String text) {
    return hmac(new SecretKeySpec(key, HMAC), text);
  }

  private static byte[] hmac(SecretKeySpec key, String text) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
