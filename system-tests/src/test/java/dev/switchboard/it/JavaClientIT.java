package dev.switchboard.it;

import dev.switchboard.client.BackendList;
import dev.switchboard.client.BackendListOptions;
import dev.switchboard.client.ClientState;
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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java client against real JVMs: failover after kill -9 without loss or repeat, a drain move, a
 * pool with hot standby, the bounded send queue, an unreachable backend (report, bounded retries,
 * recovery), a killed coordinator, clients sharing one list through a killed backend and a killed
 * coordinator, and how the policies spread 200 connections.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
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

  private static SwitchboardClientOptions options() {
    return new SwitchboardClientOptions().setCoordinators(List.of(fixture.coordinator().base()))
        .setIntervalMs(500).setTimeoutMs(2_000).setBaseMs(50).setMaxMs(1_000);
  }

  private static SwitchboardClient client(List<JsonObject> received, List<String> failovers) {
    return client(options(), received, failovers);
  }

  private static SwitchboardClient client(SwitchboardClientOptions options, List<JsonObject> received, List<String> failovers) {
    return new SwitchboardClient(fixture.vertx(), options)
        .messageHandler(received::add)
        .failoverHandler(f -> failovers.add(f.reason().code()))
        .moveHandler(m -> failovers.add("move:" + m.reason().code()));
  }


  private static List<Object> ids(List<JsonObject> messages) {
    return messages.stream().map(m -> m.getValue("data")).toList();
  }

  @Test
  void aKilledBackendLosesNoAckedPublishAndRepeatsNone() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("client-backend-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("client-backend-y", 1)) {
      fixture.awaitListed(2);
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
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("client-drain-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("client-drain-y", 1)) {
      fixture.awaitListed(2);
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
        assertEquals(List.of("move:drain"), fail, "a planned move, not a failure");
        c.publish("d", "after").await(10, TimeUnit.SECONDS);
        Http.await("both messages", Duration.ofSeconds(10), () -> got.size() >= 2);
        assertEquals(List.of("before", "after"), ids(got));
      } finally {
        c.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aPoolHoldsDistinctBackendsAndItsStandbyTakesOverAtOnceWhenThePrimaryDies() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("pool-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("pool-y", 1);
         TestCluster.BackendNode z = fixture.cluster().backendNode("pool-z", 1)) {
      fixture.awaitListed(3);
      List<JsonObject> got = new CopyOnWriteArrayList<>();
      List<String> fail = new CopyOnWriteArrayList<>();
      List<ClientState> states = new CopyOnWriteArrayList<>();
      SwitchboardClient c = client(options().setConnections(2), got, fail).stateHandler(states::add);
      try {
        c.start().await(30, TimeUnit.SECONDS);
        Http.await("two connections", Duration.ofSeconds(15), () -> c.state() == ClientState.OPEN);
        List<String> held = c.backends().stream().map(b -> b.id()).toList();
        assertEquals(2, Set.copyOf(held).size(), "distinct backends: " + held);
        c.join("pool").await(10, TimeUnit.SECONDS);
        c.publish("pool", "before").await(10, TimeUnit.SECONDS);
        String primary = held.get(0);
        String standby = held.get(1);
        TestCluster.BackendNode doomed = List.of(x, y, z).stream().filter(n -> n.ids().contains(primary)).findFirst().orElseThrow();
        doomed.process().kill9();
        Http.await("the standby to become primary", Duration.ofSeconds(15),
            () -> c.backend() != null && c.backend().id().equals(standby));
        assertNotNull(c.publish("pool", "after").await(10, TimeUnit.SECONDS), "a publish after the kill is acked");
        Http.await("the pool refilled", Duration.ofSeconds(20), () -> c.state() == ClientState.OPEN);
        List<String> now = c.backends().stream().map(b -> b.id()).toList();
        assertEquals(2, Set.copyOf(now).size(), now.toString());
        assertFalse(now.contains(primary), now.toString());
        assertTrue(states.contains(ClientState.DEGRADED), "degraded while one was missing: " + states);
        Http.await("both messages", Duration.ofSeconds(10), () -> got.size() >= 2);
        assertEquals(List.of("before", "after"), ids(got));
      } finally {
        c.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void sendQueuesBoundedWhileNothingIsOpenAndFlushesOnceABackendAppears() throws Exception {
    fixture.awaitListed(0);
    List<JsonObject> got = new CopyOnWriteArrayList<>();
    SwitchboardClient c = client(options().setQueueSize(3), got, new CopyOnWriteArrayList<>());
    try {
      c.start(); // completes only once a connection opens
      Http.await("offline with an empty list", Duration.ofSeconds(10), () -> c.state() == ClientState.OFFLINE);
      List<Future<Void>> queued = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        queued.add(c.send(new JsonObject().put("type", "echo").put("id", i).put("data", "q" + i)));
      }
      Future<Void> overflow = c.send(new JsonObject().put("type", "echo").put("id", 3).put("data", "q3"));
      Throwable refused = assertThrows(Exception.class, () -> overflow.await(5, TimeUnit.SECONDS));
      assertTrue(String.valueOf(refused.getMessage()).contains("send queue full"), refused.toString());
      assertFalse(queued.get(0).isComplete(), "queued, not written");
      try (TestCluster.BackendNode x = fixture.cluster().backendNode("queue-x", 1)) {
        Future.all(queued).await(30, TimeUnit.SECONDS);
        Http.await("three echoes", Duration.ofSeconds(10), () -> got.size() >= 3);
        assertEquals(List.of("q0", "q1", "q2"), ids(got));
        assertEquals(ClientState.OPEN, c.state());
        c.close().await(10, TimeUnit.SECONDS);
      }
    } finally {
      c.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aListedBackendNobodyCanReachIsReportedRetriedAtABoundedRateAndLeftWhenAnotherAppears() throws Exception {
    fixture.awaitListed(0);
    // bound on 127.0.0.1 but advertised on 127.0.0.77, where nothing listens: up in the cluster, unreachable
    try (TestCluster.BackendNode hidden = fixture.cluster().backendNode("hidden", 1, "--public-host", "127.0.0.77")) {
      fixture.awaitListed(1);
      String id = hidden.ids().get(0);
      SwitchboardClient c = client(options().setBaseMs(50).setMaxMs(400), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
      try {
        c.start();
        Http.await("the client to report it", Duration.ofSeconds(10),
            () -> Http.getJson(fixture.coordinator().base() + "/v1/backends/" + id + "/reports").getInteger("reporters") == 1);
        Http.await("offline after repeated failures", Duration.ofSeconds(10), () -> c.state() == ClientState.OFFLINE);
        long before = c.connectAttempts();
        long start = System.nanoTime();
        Http.await("more retries", Duration.ofSeconds(10), () -> c.connectAttempts() >= before + 5);
        Thread.sleep(Math.max(0, 4_000 - (System.nanoTime() - start) / 1_000_000)); // a fixed window to count retries in
        long perSecond = (c.connectAttempts() - before) * 1_000_000_000L / (System.nanoTime() - start);
        // capped at 400 ms with full jitter: ~5/s on average; without backoff it would be thousands
        assertTrue(perSecond <= 25, "bounded retry rate, got " + perSecond + "/s");
        try (TestCluster.BackendNode visible = fixture.cluster().backendNode("visible", 1)) {
          Http.await("the client to recover by itself", Duration.ofSeconds(20), () -> c.state() == ClientState.OPEN);
          assertEquals(visible.ids().get(0), c.backend().id());
          c.close().await(10, TimeUnit.SECONDS);
        }
      } finally {
        c.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aKilledCoordinatorsSubscribersMoveToAnotherAndKeepTheirConnections() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.Coordinator one = fixture.cluster().coordinator("coordinator-client-1");
         TestCluster.Coordinator two = fixture.cluster().coordinator("coordinator-client-2");
         TestCluster.BackendNode x = fixture.cluster().backendNode("coord-x", 1)) {
      List<String> fail = new CopyOnWriteArrayList<>();
      SwitchboardClient c = client(options().setCoordinators(List.of(one.base(), two.base())), new CopyOnWriteArrayList<>(), fail);
      try {
        c.start().await(30, TimeUnit.SECONDS);
        String followed = c.coordinator();
        TestCluster.Coordinator victim = followed.equals(one.base()) ? one : two;
        String other = victim == one ? two.base() : one.base();
        victim.process().kill9();
        try (TestCluster.BackendNode y = fixture.cluster().backendNode("coord-y", 1)) {
          Http.await("the new backend in the client's list, via the other coordinator", Duration.ofSeconds(30),
              () -> c.knownBackends().stream().anyMatch(b -> b.id().equals(y.ids().get(0))));
          assertEquals(other, c.coordinator());
          assertEquals(x.ids().get(0), c.backend().id(), "the connection stays where it was");
          assertEquals(List.of(), fail);
          c.close().await(10, TimeUnit.SECONDS);
        }
      } finally {
        c.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void clientsSharingOneListHoldOneStreamAndFollowItPastAKilledBackendAndAKilledCoordinator() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.Coordinator one = fixture.cluster().coordinator("shared-list-1");
         TestCluster.Coordinator two = fixture.cluster().coordinator("shared-list-2");
         TestCluster.BackendNode x = fixture.cluster().backendNode("shared-x", 1, "--rebalance", "false");
         TestCluster.BackendNode y = fixture.cluster().backendNode("shared-y", 1, "--rebalance", "false")) {
      fixture.awaitListed(2);
      BackendList list = new BackendList(fixture.vertx(), new BackendListOptions().setCoordinators(List.of(one.base(), two.base())));
      List<SwitchboardClient> clients = new ArrayList<>();
      List<String> fail = new CopyOnWriteArrayList<>();
      try {
        for (int i = 0; i < 6; i++) {
          clients.add(new SwitchboardClient(fixture.vertx(), options(), list).failoverHandler(f -> fail.add(f.reason().code())));
        }
        Future.all(clients.stream().map(SwitchboardClient::start).toList()).await(30, TimeUnit.SECONDS);
        assertEquals(6, list.subscribers());
        Http.await("one list stream for the six clients", Duration.ofSeconds(10), () -> streams(one) + streams(two) == 1);

        String victim = clients.get(0).backend().id();
        long onVictim = clients.stream().filter(c -> c.backend().id().equals(victim)).count();
        TestCluster.BackendNode doomed = x.ids().contains(victim) ? x : y;
        String survivor = (doomed == x ? y : x).ids().get(0);
        doomed.process().kill9();
        Http.await("every client on the survivor, the dead backend gone from every client's list", Duration.ofSeconds(30),
            () -> clients.stream().allMatch(c -> c.backend() != null && c.backend().id().equals(survivor)
                && c.knownBackends().stream().noneMatch(b -> b.id().equals(victim))));
        assertEquals(onVictim, fail.size(), "each client on the killed backend failed over once: " + fail);

        TestCluster.Coordinator followed = list.coordinator().equals(one.base()) ? one : two;
        TestCluster.Coordinator other = followed == one ? two : one;
        followed.process().kill9();
        try (TestCluster.BackendNode z = fixture.cluster().backendNode("shared-z", 1)) {
          Http.await("the new backend in every client's list, via the other coordinator", Duration.ofSeconds(30),
              () -> clients.stream().allMatch(c -> c.knownBackends().stream().anyMatch(b -> b.id().equals(z.ids().get(0)))));
          assertEquals(other.base(), list.coordinator());
          assertEquals(1, streams(other), "the list moved once, for all");
          assertTrue(clients.stream().allMatch(c -> c.backend().id().equals(survivor)), "connections stay where they were");

          clients.get(0).close().await(10, TimeUnit.SECONDS);
          Http.await("the closed client left the list", Duration.ofSeconds(10), () -> list.subscribers() == 5);
          assertEquals(1, streams(other), "the others' stream stays");
        }
      } finally {
        Future.all(clients.stream().map(SwitchboardClient::close).toList()).await(30, TimeUnit.SECONDS);
        list.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  /** The SSE list streams a coordinator holds open now (its {@code switchboard_subscribers} gauge). */
  private static int streams(TestCluster.Coordinator coordinator) throws Exception {
    return (int) Http.get(coordinator.base() + "/metrics").body().lines().filter(l -> l.startsWith("switchboard_subscribers "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void policiesSpreadTwoHundredConnectionsAsExpected() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("spread-x", 2, "--rebalance", "false");
         TestCluster.BackendNode y = fixture.cluster().backendNode("spread-y", 2, "--rebalance", "false")) {
      fixture.awaitListed(4);
      List<String> ids = new ArrayList<>(x.ids());
      ids.addAll(y.ids());
      for (String policy : List.of("round-robin", "random", "least-loaded", "sticky")) {
        List<SwitchboardClient> clients = new ArrayList<>();
        try {
          List<Future<Void>> started = new ArrayList<>();
          for (int i = 0; i < 200; i++) {
            SwitchboardClient c = client(options().setPolicy(policy).setKey("user-" + i), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
            clients.add(c);
            started.add(c.start());
          }
          Future.all(started).await(60, TimeUnit.SECONDS);
          System.out.println(Spread.check(policy, clients.stream().map(c -> c.backend().id()).toList(), ids));
        } finally {
          Future.all(clients.stream().map(SwitchboardClient::close).toList()).await(30, TimeUnit.SECONDS);
        }
        fixture.awaitNoConnections();
      }
    }
  }

  @Test
  void aFrozenBackendIsLeftOnAMissedPongBeforeTheListDropsIt() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("frozen-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("frozen-y", 1)) {
      fixture.awaitListed(2);
      List<String> fail = new CopyOnWriteArrayList<>();
      // a pong is due within 400 ms: sooner than the coordinator hides a silent node (1.5 s)
      SwitchboardClient c = client(options().setIntervalMs(100).setTimeoutMs(400), new CopyOnWriteArrayList<>(), fail);
      try {
        c.start().await(30, TimeUnit.SECONDS);
        String from = c.backend().id();
        (x.ids().contains(from) ? x : y).process().signal("STOP");
        Http.await("the client to move", Duration.ofSeconds(15), () -> c.backend() != null && !c.backend().id().equals(from));
        assertEquals("heartbeat-timeout", fail.get(0), fail.toString());
      } finally {
        c.close().await(10, TimeUnit.SECONDS);
      }
    }
  }
}
