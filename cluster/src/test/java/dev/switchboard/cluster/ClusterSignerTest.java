package dev.switchboard.cluster;

import dev.switchboard.cluster.ClusterSigner.Failure;
import dev.switchboard.cluster.ClusterSigner.InvalidSignatureException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSignerTest {

  private static final String SECRET = "correct horse battery staple";
  private static final String ADDRESS = "switchboard.node.n1";

  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  private final ClusterSigner signer = ClusterSigner.of(SECRET, now::get);
  /** Another member with the same secret: its own clock and its own memory of nonces. */
  private final ClusterSigner receiver = ClusterSigner.of(SECRET, now::get);

  private static JsonObject record() {
    return new JsonObject().put("id", "abc-0").put("service", "chat").put("url", "ws://127.0.0.1:9000/ws")
        .put("node", "n1").put("state", "UP").put("connections", 3).put("capacity", 100).put("weight", 100)
        .put("startedAt", 1L);
  }

  private static Failure failure(ThrowingCall call) {
    return assertThrows(InvalidSignatureException.class, call::run).failure();
  }

  @FunctionalInterface
  private interface ThrowingCall {
    void run() throws Exception;
  }

  @Test
  void aSignedRecordOpensToTheRecordWithoutItsSignature() throws Exception {
    String stored = signer.sealRecord(record());
    assertTrue(new JsonObject(stored).containsKey(ClusterSigner.SIG), stored);
    assertEquals(record(), receiver.openRecord(stored));
  }

  @Test
  void theSignatureDoesNotDependOnKeyOrder() throws Exception {
    JsonObject reordered = new JsonObject();
    JsonObject original = record();
    original.fieldNames().stream().sorted((a, b) -> b.compareTo(a)).forEach(k -> reordered.put(k, original.getValue(k)));
    JsonObject sealed = new JsonObject(signer.sealRecord(record()));
    reordered.put(ClusterSigner.SIG, sealed.getString(ClusterSigner.SIG));
    assertEquals(record(), receiver.openRecord(reordered.encode()));
    assertEquals(ClusterSigner.canonical(new JsonObject().put("b", new JsonObject().put("y", 1).put("x", 2)).put("a", new JsonArray().add(3))),
        "{\"a\":[3],\"b\":{\"x\":2,\"y\":1}}");
  }

  @Test
  void aTamperedRecordIsRefused() {
    JsonObject sealed = new JsonObject(signer.sealRecord(record()));
    sealed.put("url", "ws://attacker.example:80/ws");
    assertEquals(Failure.BAD_SIGNATURE, failure(() -> receiver.openRecord(sealed.encode())));
    JsonObject added = new JsonObject(signer.sealRecord(record())).put("suspect", false);
    assertEquals(Failure.BAD_SIGNATURE, failure(() -> receiver.openRecord(added.encode())));
  }

  @Test
  void aRecordSignedWithAnotherSecretIsRefused() {
    String forged = ClusterSigner.of("another secret, long enough", now::get).sealRecord(record());
    assertEquals(Failure.BAD_SIGNATURE, failure(() -> receiver.openRecord(forged)));
  }

  @Test
  void anUnsignedOrBadlyEncodedRecordIsRefused() {
    assertEquals(Failure.MISSING, failure(() -> receiver.openRecord(record().encode())));
    assertEquals(Failure.MALFORMED, failure(() -> receiver.openRecord(record().put("sig", 42).encode())));
    assertEquals(Failure.MALFORMED, failure(() -> receiver.openRecord(record().put("sig", "not*base64").encode())));
    assertThrows(DecodeException.class, () -> receiver.openRecord("not json"));
  }

  @Test
  void aSignedMessageOpensOnceToItsBody() throws Exception {
    JsonObject command = new JsonObject().put("op", "scale").put("instances", 6);
    JsonObject sealed = signer.sealMessage(ADDRESS, command);
    assertTrue(sealed.containsKey(ClusterSigner.TS) && sealed.containsKey(ClusterSigner.NONCE) && sealed.containsKey(ClusterSigner.SIG));
    assertEquals(command, receiver.openMessage(ADDRESS, sealed));
    assertEquals(Failure.REPLAYED, failure(() -> receiver.openMessage(ADDRESS, sealed)));
  }

  @Test
  void aTamperedMessageOrOneForAnotherAddressIsRefused() {
    JsonObject sealed = signer.sealMessage(ADDRESS, new JsonObject().put("op", "scale").put("instances", 6));
    assertEquals(Failure.BAD_SIGNATURE, failure(() -> receiver.openMessage(ADDRESS, sealed.copy().put("instances", 600))));
    assertEquals(Failure.BAD_SIGNATURE, failure(() -> receiver.openMessage(ADDRESS, sealed.copy().put(ClusterSigner.TS, now.get() + 1))));
    assertEquals(Failure.BAD_SIGNATURE, failure(() -> receiver.openMessage("switchboard.node.n2", sealed)));
  }

  @Test
  void aMessageSignedWithAnotherSecretOrUnsignedIsRefused() {
    JsonObject command = new JsonObject().put("op", "scale").put("instances", 6);
    JsonObject forged = ClusterSigner.of("another secret, long enough", now::get).sealMessage(ADDRESS, command);
    assertEquals(Failure.BAD_SIGNATURE, failure(() -> receiver.openMessage(ADDRESS, forged)));
    assertEquals(Failure.MISSING, failure(() -> receiver.openMessage(ADDRESS, command)));
    assertEquals(Failure.MISSING, failure(() -> receiver.openMessage(ADDRESS, null)));
  }

  @Test
  void aMessageOutsideThirtySecondsEitherWayIsRefused() throws Exception {
    long sentAt = now.get();
    JsonObject sealed = signer.sealMessage(ADDRESS, new JsonObject().put("op", "scale"));
    now.set(sentAt + ClusterSigner.MAX_SKEW_MS + 1);
    assertEquals(Failure.EXPIRED, failure(() -> receiver.openMessage(ADDRESS, sealed)));
    now.set(sentAt - ClusterSigner.MAX_SKEW_MS - 1);
    assertEquals(Failure.EXPIRED, failure(() -> receiver.openMessage(ADDRESS, sealed)));
    now.set(sentAt - ClusterSigner.MAX_SKEW_MS);
    assertEquals("scale", receiver.openMessage(ADDRESS, sealed).getString("op"), "exactly 30 s ahead is still accepted");
  }

  @Test
  void forgetsNoncesOnceTheWindowRefusesTheirMessagesAnyway() throws Exception {
    for (int i = 0; i < 5_000; i++) {
      receiver.openMessage(ADDRESS, signer.sealMessage(ADDRESS, new JsonObject().put("seq", i)));
    }
    now.addAndGet(2 * ClusterSigner.MAX_SKEW_MS + 1);
    for (int i = 0; i < 10_000; i++) {
      receiver.openMessage(ADDRESS, signer.sealMessage(ADDRESS, new JsonObject().put("seq", i)));
    }
    assertTrue(receiver.remembered() <= 10_000, "nonces kept: " + receiver.remembered());
  }

  @Test
  void withoutASecretNothingIsSignedAndEverythingPasses() throws Exception {
    ClusterSigner none = ClusterSigner.of(null);
    assertSame(ClusterSigner.none(), none);
    assertFalse(none.enabled());
    assertEquals(record().encode(), none.sealRecord(record()));
    assertEquals(record(), none.openRecord(record().encode()));
    JsonObject body = new JsonObject().put("op", "scale");
    assertEquals(body, none.sealMessage(ADDRESS, body));
    assertEquals(body, none.openMessage(ADDRESS, body));
    assertEquals(body, none.openMessage(ADDRESS, body), "no replay memory without a secret");
  }
}
