package dev.switchboard.it;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chat rooms across backends in separate JVMs: seq order, idempotent publish, replay, and no loss when a backend dies. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RoomsIT {

  private static TestCluster cluster;
  private static TestCluster.Coordinator coordinator;
  private static TestCluster.BackendNode one;
  private static TestCluster.BackendNode two;
  private static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.unique();
    coordinator = cluster.coordinator("coordinator-rooms");
    // rebalance off: these raw room clients do not follow a drain, and a rebalance that asks one to move
    // (two on one backend, none on the other, once the doomed node is gone) closes it at the deadline
    one = cluster.backendNode("backend-rooms-1", 1, "--rebalance", "false");
    two = cluster.backendNode("backend-rooms-2", 1, "--rebalance", "false");
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : new AutoCloseable[] {one, two, coordinator}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private static String url(String backendId) throws Exception {
    JsonArray all = Http.getJson(coordinator.base() + "/v1/backends").getJsonArray("backends");
    return all.stream().map(o -> (JsonObject) o).filter(r -> r.getString("id").equals(backendId))
        .findFirst().orElseThrow().getString("url");
  }

  @Test
  void clientsOnTwoBackendsSeeEveryMessageInTheSameSeqOrder() throws Exception {
    try (RoomClient a = new RoomClient(vertx, url(one.ids().get(0)));
         RoomClient b = new RoomClient(vertx, url(two.ids().get(0)))) {
      a.join("lobby", null);
      b.join("lobby", null);
      a.publish("lobby", "hello-a", 0);
      a.until("hello on a", () -> a.ids().contains("hello-a"));
      b.until("hello on b", () -> b.ids().contains("hello-a"));
      for (int i = 0; i < 20; i++) {
        a.publish("lobby", "a-" + i, i);
        b.publish("lobby", "b-" + i, i);
      }
      a.until("40 messages and 20 acks on a", () -> a.order.size() >= 41 && a.acks.size() >= 21);
      b.until("40 messages and 20 acks on b", () -> b.order.size() >= 41 && b.acks.size() >= 20);
      assertEquals(a.order, b.order, "both members see the same seq order");
      for (int i = 1; i < a.order.size(); i++) {
        assertEquals(a.order.get(i - 1) + 1, a.order.get(i), "seqs increase without a gap");
      }
      assertEquals(a.ids(), b.ids());
      a.acks.forEach((id, seq) -> assertEquals(id, a.messages.get(seq).getValue("id"), "ack seq names the message"));
      assertTrue(a.messages.get(a.acks.get("a-0")).getString("from") != null);
    }
  }

  @Test
  void aRepeatedPublishIdIsStoredAndDeliveredOnce() throws Exception {
    try (RoomClient a = new RoomClient(vertx, url(one.ids().get(0)));
         RoomClient b = new RoomClient(vertx, url(two.ids().get(0)))) {
      a.join("dedupe", null);
      b.join("dedupe", null);
      a.publish("dedupe", "warmup", 0);
      b.until("warmup", () -> b.ids().contains("warmup"));
      a.publish("dedupe", "once", "first");
      a.until("ack of once on a", () -> a.acks.containsKey("once"));
      b.publish("dedupe", "once", "resent");          // a resend through the other backend
      b.publish("dedupe", "after", "marker");
      b.until("ack of once and after on b", () -> b.acks.containsKey("once") && b.acks.containsKey("after")
          && b.ids().contains("after"));
      assertEquals(a.acks.get("once"), b.acks.get("once"), "the resend is acked with the stored seq");
      assertEquals(1, b.ids().stream().filter("once"::equals).count(), b.ids().toString());
      assertEquals("first", b.messages.get(b.acks.get("once")).getString("data"));
    }
  }

  @Test
  void joinSinceReplaysWhatWasMissedThenContinuesLive() throws Exception {
    try (RoomClient writer = new RoomClient(vertx, url(one.ids().get(0)))) {
      for (int i = 0; i < 10; i++) {
        writer.publish("history", "h-" + i, i);
      }
      writer.until("10 acks", () -> writer.acks.size() == 10);
      long third = writer.acks.get("h-2");
      try (RoomClient late = new RoomClient(vertx, url(two.ids().get(0)))) {
        assertEquals(third, late.join("history", third), "joined confirms the since it was asked for");
        late.until("replay of h-3..h-9", () -> late.ids().contains("h-9"));
        writer.publish("history", "live-1", "x");
        late.until("the live message", () -> late.ids().contains("live-1"));
        List<Object> expected = new ArrayList<>();
        for (int i = 3; i < 10; i++) {
          expected.add("h-" + i);
        }
        expected.add("live-1");
        assertEquals(expected, late.ids(), "replay from since+1, then live, no gap or duplicate");
      }
    }
  }

  @Test
  void aBackendKilledMidStreamLosesNoAckedMessageAndDuplicatesNone() throws Exception {
    try (TestCluster.BackendNode doomed = cluster.backendNode("backend-rooms-doomed", 1, "--rebalance", "false");
         RoomClient observer = new RoomClient(vertx, url(two.ids().get(0)))) {
      observer.join("stream", null);
      RoomClient writer = new RoomClient(vertx, url(doomed.ids().get(0)));
      writer.join("stream", null);
      writer.publish("stream", "w-warmup", 0);
      observer.until("warmup", () -> observer.ids().contains("w-warmup"));
      writer.until("warmup back", () -> writer.ids().contains("w-warmup"));
      Set<String> sent = new HashSet<>();
      for (int i = 0; i < 30; i++) {
        writer.publish("stream", "w-" + i, i);
        sent.add("w-" + i);
      }
      doomed.process().kill9();
      try {
        writer.until("the connection to drop", () -> !writer.ws.isOpen());
      } catch (AssertionError | RuntimeException e) {
        // frames that arrived before the drop were recorded; the socket is gone either way
      }
      long lastSeen = writer.order.isEmpty() ? -1 : writer.order.get(writer.order.size() - 1);
      Map<Object, Long> ackedBefore = new HashMap<>(writer.acks);
      List<Object> seenBefore = writer.ids();
      writer.close();

      // failover: another backend, join since the last seq seen, resend every unacked publish with its id
      try (RoomClient moved = new RoomClient(vertx, url(two.ids().get(0)))) {
        moved.join("stream", lastSeen);
        for (int i = 0; i < 30; i++) {
          if (!ackedBefore.containsKey("w-" + i)) {
            moved.publish("stream", "w-" + i, i);
          }
        }
        moved.until("every publish acked", () -> ackedBefore.keySet().stream()
            .filter(k -> k.toString().startsWith("w-")).count() - 1 + moved.acks.size() >= 30);
        moved.publish("stream", "w-end", "end");
        moved.until("the end marker", () -> moved.ids().contains("w-end"));
        observer.until("the end marker on the observer", () -> observer.ids().contains("w-end"));

        for (String id : sent) {
          assertEquals(1, observer.ids().stream().filter(id::equals).count(), "observer has " + id + " exactly once");
          List<Object> writerView = new ArrayList<>(seenBefore);
          writerView.addAll(moved.ids());
          assertEquals(1, writerView.stream().filter(id::equals).count(), "writer has " + id + " exactly once");
        }
        for (int i = 1; i < observer.order.size(); i++) {
          assertTrue(observer.order.get(i) > observer.order.get(i - 1), "observer sees increasing seqs");
        }
      }
    }
  }
}
