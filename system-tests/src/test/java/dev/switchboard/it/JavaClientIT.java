package dev.switchboard.it;

import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Java client against real JVMs: failover after kill -9 without loss or repeat, and a drain move. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class JavaClientIT {

  private static final String TOKEN = "client-it";

  private static CoordinatorFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = CoordinatorFixture.start("coordinator-client", "--admin-token", TOKEN);
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static SwitchboardClient client(List<JsonObject> received, List<String> failovers) {
    return new SwitchboardClient(fixture.vertx(), new SwitchboardClientOptions().setCoordinators(List.of(fixture.coordinator().base()))
        .setIntervalMs(500).setTimeoutMs(2_000).setBaseMs(50).setMaxMs(1_000))
        .messageHandler(received::add)
        .failoverHandler(failovers::add);
  }

  private static List<Object> ids(List<JsonObject> messages) {
    return messages.stream().map(m -> m.getValue("data")).toList();
  }

  @Test
  void aKilledBackendLosesNoAckedPublishAndRepeatsNone() throws Exception {
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("client-backend-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("client-backend-y", 1)) {
      Http.await("both backends listed", Duration.ofSeconds(15), () -> Http.getJson(fixture.coordinator().base() + "/v1/backends")
          .getJsonArray("backends").size() == 2);
      List<JsonObject> gotA = new CopyOnWriteArrayList<>();
      List<JsonObject> gotB = new CopyOnWriteArrayList<>();
      List<String> failA = new CopyOnWriteArrayList<>();
      SwitchboardClient a = client(gotA, failA);
      SwitchboardClient b = client(gotB, new CopyOnWriteArrayList<>());
      try {
        a.start().await(30, TimeUnit.SECONDS);
        b.start().await(30, TimeUnit.SECONDS);
        a.join("r").await(10, TimeUnit.SECONDS);
        b.join("r").await(10, TimeUnit.SECONDS);
        String victim = a.backend().id();
        TestCluster.BackendNode doomed = x.ids().contains(victim) ? x : y;
        List<Future<Long>> acks = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          acks.add(a.publish("r", i));
          if (i == 15) {
            doomed.process().kill9();
          }
        }
        Future.all(acks).await(60, TimeUnit.SECONDS);
        assertTrue(failA.size() >= 1, "A failed over: " + failA);
        assertNotEquals(victim, a.backend().id());
        Http.await("every message at both clients", Duration.ofSeconds(30), () -> gotA.size() >= 40 && gotB.size() >= 40);
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          expected.add(i);
        }
        for (List<JsonObject> got : List.of(gotA, gotB)) {
          List<Object> data = ids(got);
          assertEquals(40, data.size(), "exactly once: " + data);
          assertTrue(data.containsAll(expected), data.toString());
          for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i).getLong("seq") > got.get(i - 1).getLong("seq"), "in seq order");
          }
        }
      } finally {
        a.close().await(10, TimeUnit.SECONDS);
        b.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aDrainedBackendsClientMovesBeforeTheDeadlineWithoutAGap() throws Exception {
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("client-drain-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("client-drain-y", 1)) {
      Http.await("both backends listed", Duration.ofSeconds(15), () -> Http.getJson(fixture.coordinator().base() + "/v1/backends")
          .getJsonArray("backends").size() == 2);
      List<JsonObject> got = new CopyOnWriteArrayList<>();
      List<String> fail = new CopyOnWriteArrayList<>();
      SwitchboardClient c = client(got, fail);
      try {
        c.start().await(30, TimeUnit.SECONDS);
        c.join("d").await(10, TimeUnit.SECONDS);
        String from = c.backend().id();
        c.publish("d", "before").await(10, TimeUnit.SECONDS);
        assertEquals(202, Http.post(fixture.coordinator().base() + "/v1/admin/backends/" + from + "/drain?deadlineMs=4000", TOKEN, null)
            .statusCode());
        Http.await("the client to move", Duration.ofSeconds(15), () -> c.backend() != null && !c.backend().id().equals(from));
        assertTrue(fail.contains("drain"), fail.toString());
        c.publish("d", "after").await(10, TimeUnit.SECONDS);
        Http.await("both messages", Duration.ofSeconds(10), () -> got.size() >= 2);
        assertEquals(List.of("before", "after"), ids(got));
      } finally {
        c.close().await(10, TimeUnit.SECONDS);
      }
    }
  }
}
