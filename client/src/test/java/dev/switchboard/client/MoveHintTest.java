package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MoveHintTest {

  private static BackendRecord backend(String id, int connections) {
    return new BackendRecord(id, "chat", "ws://127.0.0.1:9000/ws", "n", "local", BackendState.UP, connections, 10_000, 100, 1);
  }

  private static final List<BackendRecord> LIST = List.of(backend("a", 300), backend("b", 300), backend("c", 0), backend("d", 0));

  private static List<String> allowed(Predicate<BackendRecord> targets, List<BackendRecord> list) {
    return list.stream().filter(targets).map(BackendRecord::id).toList();
  }

  @Test
  void aPlainDrainFrameIsADrainThatMayLandAnywhere() {
    MoveHint hint = MoveHint.of(new JsonObject().put("type", "drain").put("deadlineMs", 4000));
    assertEquals(MoveReason.DRAIN, hint.reason());
    assertEquals(4000, hint.deadlineMs());
    assertEquals(List.of("a", "b", "c", "d"), allowed(hint.targets(LIST), LIST));
  }

  private static final Map<String, BackendRecord> BY_ID = LIST.stream().collect(Collectors.toMap(BackendRecord::id, b -> b));

  @Test
  void aRebalanceGoesToTheFirstPreferredBackendThatIsListedAndUsable() {
    MoveHint hint = MoveHint.of(new JsonObject().put("type", "drain").put("deadlineMs", 2000).put("reason", "rebalance")
        .put("prefer", new JsonArray().add("gone").add("d").add("c")));
    assertEquals(MoveReason.REBALANCE, hint.reason());
    assertEquals("d", hint.preferred(BY_ID, b -> true).id(), "the backend's first choice that is listed");
    assertEquals("c", hint.preferred(BY_ID, b -> !b.id().equals("d")).id(), "d already in the pool: the next one");
    assertNull(hint.preferred(BY_ID, b -> false));
  }

  @Test
  void aDrainHasNoPreferredTarget() {
    MoveHint hint = MoveHint.of(new JsonObject().put("deadlineMs", 1000).put("prefer", new JsonArray().add("d")));
    assertNull(hint.preferred(BY_ID, b -> true));
  }

  @Test
  void aRebalanceWhoseHintIsStaleLandsOnlyUnderTheMeanLevel() {
    MoveHint hint = MoveHint.of(new JsonObject().put("reason", "rebalance").put("prefer", new JsonArray().add("gone")));
    assertEquals(List.of("c", "d"), allowed(hint.targets(LIST), LIST));
  }

  @Test
  void aPreferredBackendThatIsSuspectDoesNotCountAsListed() {
    List<BackendRecord> list = List.of(backend("a", 300), backend("c", 0).withSuspect(true), backend("d", 100));
    MoveHint hint = MoveHint.of(new JsonObject().put("reason", "rebalance").put("prefer", new JsonArray().add("c")));
    assertNull(hint.preferred(list.stream().collect(Collectors.toMap(BackendRecord::id, b -> b)), b -> true));
    // falls back to the level 400 connections / 200 weight: d is under it, a is not (c, suspect, the selector never picks)
    assertEquals(List.of("c", "d"), allowed(hint.targets(list), list));
  }

  @Test
  void aBalancedListOffersARebalanceNowhereToGo() {
    List<BackendRecord> even = List.of(backend("a", 100), backend("b", 100));
    MoveHint hint = MoveHint.of(new JsonObject().put("reason", "rebalance"));
    assertEquals(List.of(), allowed(hint.targets(even), even));
  }

  @Test
  void malformedOptionalFieldsAreIgnored() {
    MoveHint hint = MoveHint.of(new JsonObject().put("deadlineMs", "soon").put("reason", 7)
        .put("prefer", new JsonArray().add(1).add("b").add(new JsonObject())));
    assertEquals(MoveReason.DRAIN, hint.reason());
    assertEquals(0, hint.deadlineMs());
    assertEquals(List.of("b"), hint.prefer());
  }
}
