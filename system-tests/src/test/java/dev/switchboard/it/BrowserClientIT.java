package dev.switchboard.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * switchboard.js in a real headless Chromium against a cluster of separate JVMs: a backend is killed
 * with kill -9 while a client publishes (every acked publish reaches both clients exactly once), a
 * drain, a pool with hot standby, the bounded send queue and an unreachable backend, a killed
 * coordinator, and how the policies spread 200 connections.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BrowserClientIT {

  private static final String SETUP = """
      const [coordinator, done] = arguments;
      import('/switchboard.js').then(async ({ Switchboard }) => {
        const make = (name) => {
          const c = new Switchboard({ coordinators: [coordinator], intervalMs: 500, timeoutMs: 2000, baseMs: 50, maxMs: 1000 });
          c.got = []; c.failovers = [];
          c.addEventListener('message', (e) => { if (e.detail.type === 'message') c.got.push(e.detail); });
          c.addEventListener('failover', (e) => c.failovers.push(e.detail.reason)); c.addEventListener('move', (e) => c.failovers.push('move:' + e.detail.reason));
          const opened = new Promise((r) => c.addEventListener('open', r, { once: true }));
          c.start();
          return opened.then(() => c);
        };
        window.a = await make('a');
        window.b = await make('b');
        await window.a.join('r');
        await window.b.join('r');
        done(window.a.backend.id);
      }).catch((e) => done('error: ' + e));
      """;

  private static final String PUBLISH = """
      const done = arguments[arguments.length - 1];
      window.acks = [];
      let i = 0;
      const timer = setInterval(() => {
        if (i === 40) { clearInterval(timer); return; }
        window.acks.push(window.a.publish('r', i++));
      }, 20);
      done('publishing');
      """;

  private static final String RESULT = """
      const done = arguments[arguments.length - 1];
      const wait = async () => {
        while (!window.acks || window.acks.length < 40) await new Promise((r) => setTimeout(r, 20));
        await Promise.all(window.acks);
        while (window.a.got.length < 40 || window.b.got.length < 40) await new Promise((r) => setTimeout(r, 20));
        return {
          a: window.a.got.map((m) => m.data), b: window.b.got.map((m) => m.data),
          aSeq: window.a.got.map((m) => m.seq), bSeq: window.b.got.map((m) => m.seq),
          failovers: window.a.failovers, backend: window.a.backend?.id ?? null,
        };
      };
      wait().then(done).catch((e) => done('error: ' + e));
      """;

  private static final String TOKEN = "browser-it";

  private static final String DRAIN_SETUP = """
      const [coordinator, done] = arguments;
      import('/switchboard.js').then(async ({ Switchboard }) => {
        const c = new Switchboard({ coordinators: [coordinator], intervalMs: 500, timeoutMs: 2000, baseMs: 50, maxMs: 1000 });
        c.got = []; c.failovers = [];
        c.addEventListener('message', (e) => { if (e.detail.type === 'message') c.got.push(e.detail.data); });
        c.addEventListener('failover', (e) => c.failovers.push(e.detail.reason)); c.addEventListener('move', (e) => c.failovers.push('move:' + e.detail.reason));
        const opened = new Promise((r) => c.addEventListener('open', r, { once: true }));
        c.start();
        await opened;
        window.c = c;
        await c.join('d');
        await c.publish('d', 'before');
        done(c.backend.id);
      }).catch((e) => done('error: ' + e));
      """;

  private static final String AFTER_DRAIN = """
      const [from, done] = arguments;
      const wait = async () => {
        while (!window.c.backend || window.c.backend.id === from) await new Promise((r) => setTimeout(r, 20));
        await window.c.publish('d', 'after');
        while (window.c.got.length < 2) await new Promise((r) => setTimeout(r, 20));
        return { got: window.c.got, failovers: window.c.failovers, backend: window.c.backend.id };
      };
      wait().then(done).catch((e) => done('error: ' + e));
      """;

  private static CoordinatorFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = CoordinatorFixture.start("coordinator-browser", "--admin-token", TOKEN);
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void aKilledBackendLosesNoAckedPublishAndRepeatsNone() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("browser-backend-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("browser-backend-y", 1);
         Browser browser = Browser.start()) {
      fixture.awaitListed(2);
      openPage(browser);
      String victim = (String) browser.evalAsync(SETUP, new JsonArray().add(fixture.coordinator().base()));
      assertTrue(victim != null && !victim.startsWith("error"), victim);
      TestCluster.BackendNode doomed = x.ids().contains(victim) ? x : y;
      browser.evalAsync(PUBLISH, new JsonArray());
      Thread.sleep(300); // a third of the way through the publishes: the kill lands mid-stream
      doomed.process().kill9();
      Object raw = browser.evalAsync(RESULT, new JsonArray());
      assertTrue(raw instanceof JsonObject, String.valueOf(raw));
      JsonObject result = (JsonObject) raw;
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        expected.add(i);
      }
      for (String who : List.of("a", "b")) {
        JsonArray data = result.getJsonArray(who);
        assertEquals(40, data.size(), who + " got each message once: " + data);
        assertTrue(data.getList().containsAll(expected), who + ": " + data);
        JsonArray seqs = result.getJsonArray(who + "Seq");
        for (int i = 1; i < seqs.size(); i++) {
          assertTrue(seqs.getLong(i) > seqs.getLong(i - 1), who + " in seq order: " + seqs);
        }
      }
      assertTrue(result.getJsonArray("failovers").size() >= 1, "a failed over: " + result);
      assertNotEquals(victim, result.getString("backend"));
    }
  }

  @Test
  void aDrainedBackendsClientMovesMakeBeforeBreakWithoutAGap() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("browser-drain-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("browser-drain-y", 1);
         Browser browser = Browser.start()) {
      Http.await("both backends listed", Duration.ofSeconds(15), () -> Http.getJson(fixture.coordinator().base() + "/v1/backends")
          .getJsonArray("backends").stream().map(o -> (JsonObject) o)
          .filter(r -> x.ids().contains(r.getString("id")) || y.ids().contains(r.getString("id"))).count() == 2);
      openPage(browser);
      String from = (String) browser.evalAsync(DRAIN_SETUP, new JsonArray().add(fixture.coordinator().base()));
      assertTrue(from != null && !from.startsWith("error"), from);
      assertEquals(202, Http.post(fixture.coordinator().base() + "/v1/admin/backends/" + from + "/drain?deadlineMs=4000", TOKEN, null)
          .statusCode());
      Object raw = browser.evalAsync(AFTER_DRAIN, new JsonArray().add(from));
      assertTrue(raw instanceof JsonObject, String.valueOf(raw));
      JsonObject result = (JsonObject) raw;
      assertEquals(new JsonArray().add("before").add("after"), result.getJsonArray("got"));
      assertEquals(new JsonArray().add("move:drain"), result.getJsonArray("failovers"), "a planned move, not a failure");
      assertNotEquals(from, result.getString("backend"));
    }
  }

  private static void openPage(Browser browser) throws Exception {
    BrowserPage.open(browser, fixture);
  }

  private static Object run(Browser browser, String body, Object... args) throws Exception {
    return BrowserPage.run(browser, body, args);
  }

  @Test
  void aPoolHoldsDistinctBackendsAndItsStandbyTakesOverAtOnceWhenThePrimaryDies() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("browser-pool-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("browser-pool-y", 1);
         TestCluster.BackendNode z = fixture.cluster().backendNode("browser-pool-z", 1);
         Browser browser = Browser.start()) {
      fixture.awaitListed(3);
      openPage(browser);
      JsonArray held = (JsonArray) run(browser, """
          const c = window.c = await makeClient({ coordinators: [args[0]], connections: 2 });
          await until('two connections', () => c.state === 'open');
          await c.join('pool');
          await c.publish('pool', 'before');
          return c.connected.map((b) => b.id);
          """, fixture.coordinator().base());
      assertEquals(2, Set.copyOf(held.getList()).size(), "distinct: " + held);
      String primary = held.getString(0);
      String standby = held.getString(1);
      List.of(x, y, z).stream().filter(n -> n.ids().contains(primary)).findFirst().orElseThrow().process().kill9();
      JsonObject after = (JsonObject) run(browser, """
          const c = window.c;
          await until('the standby to take over', () => c.backend?.id === args[0]);
          await c.publish('pool', 'after');
          await until('the pool refilled', () => c.state === 'open');
          await until('both messages', () => c.got.length >= 2);
          const r = { connected: c.connected.map((b) => b.id), states: c.states, got: c.got.map((m) => m.data) };
          c.stop();
          return r;
          """, standby);
      List<Object> now = after.getJsonArray("connected").getList();
      assertEquals(2, Set.copyOf(now).size(), now.toString());
      assertFalse(now.contains(primary), now.toString());
      assertTrue(after.getJsonArray("states").contains("degraded"), after.encode());
      assertEquals(new JsonArray().add("before").add("after"), after.getJsonArray("got"));
    }
  }

  @Test
  void anUnreachableBackendIsReportedAndRetriedAtABoundedRateWhileSendsQueueBounded() throws Exception {
    fixture.awaitListed(0);
    // bound on 127.0.0.1 but advertised on 127.0.0.77, where nothing listens: up in the cluster, unreachable
    try (TestCluster.BackendNode hidden = fixture.cluster().backendNode("browser-hidden", 1, "--public-host", "127.0.0.77");
         Browser browser = Browser.start()) {
      fixture.awaitListed(1);
      String id = hidden.ids().get(0);
      openPage(browser);
      JsonObject queued = (JsonObject) run(browser, """
          const c = window.c = await makeClient({ coordinators: [args[0]], queueSize: 3, baseMs: 50, maxMs: 400 }, false);
          await until('offline after repeated failures', () => c.state === 'offline');
          const taken = [0, 1, 2, 3].map((i) => c.send({ type: 'echo', id: i, data: 'q' + i }));
          const before = c.connectAttempts;
          const start = performance.now();
          await new Promise((r) => setTimeout(r, 4000)); // a fixed window to count retries in
          const perSecond = (c.connectAttempts - before) * 1000 / (performance.now() - start);
          return { taken, perSecond, states: c.states };
          """, fixture.coordinator().base());
      assertEquals(new JsonArray().add(true).add(true).add(true).add(false), queued.getJsonArray("taken"), queued.encode());
      // capped at 400 ms with full jitter: ~5/s on average; without backoff it would be thousands
      double perSecond = queued.getDouble("perSecond");
      assertTrue(perSecond > 0.5 && perSecond <= 25, "a bounded retry rate that never stops: " + perSecond + "/s");
      assertEquals(1, Http.getJson(fixture.coordinator().base() + "/v1/backends/" + id + "/reports").getInteger("reporters"));
      try (TestCluster.BackendNode visible = fixture.cluster().backendNode("browser-visible", 1)) {
        JsonObject recovered = (JsonObject) run(browser, """
            const c = window.c;
            await until('open again, by itself', () => c.state === 'open');
            await until('the three queued echoes', () => c.got.length >= 3);
            const r = { backend: c.backend.id, got: c.got.map((m) => m.data) };
            c.stop();
            return r;
            """);
        assertEquals(visible.ids().get(0), recovered.getString("backend"));
        assertEquals(new JsonArray().add("q0").add("q1").add("q2"), recovered.getJsonArray("got"));
      }
    }
  }

  @Test
  void aKilledCoordinatorsListMovesToTheOtherAndTheConnectionStays() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.Coordinator one = fixture.cluster().coordinator("browser-coordinator-1");
         TestCluster.Coordinator two = fixture.cluster().coordinator("browser-coordinator-2");
         TestCluster.BackendNode x = fixture.cluster().backendNode("browser-coord-x", 1);
         Browser browser = Browser.start()) {
      openPage(browser);
      String followed = (String) run(browser, """
          const c = window.c = await makeClient({ coordinators: args[0] });
          return c.list.coordinator;
          """, new JsonArray().add(one.base()).add(two.base()));
      TestCluster.Coordinator victim = followed.equals(one.base()) ? one : two;
      String other = victim == one ? two.base() : one.base();
      victim.process().kill9();
      try (TestCluster.BackendNode y = fixture.cluster().backendNode("browser-coord-y", 1)) {
        JsonObject result = (JsonObject) run(browser, """
            const c = window.c;
            await until('the new backend via the other coordinator', () => c.backends.has(args[0]));
            const r = { coordinator: c.list.coordinator, backend: c.backend.id, failovers: c.failovers };
            c.stop();
            return r;
            """, y.ids().get(0));
        assertEquals(other, result.getString("coordinator"));
        assertEquals(x.ids().get(0), result.getString("backend"), "the connection stays where it was");
        assertEquals(new JsonArray(), result.getJsonArray("failovers"));
      }
    }
  }

  @Test
  void policiesSpreadTwoHundredConnectionsAsExpected() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("browser-spread-x", 2, "--rebalance", "false");
         TestCluster.BackendNode y = fixture.cluster().backendNode("browser-spread-y", 2, "--rebalance", "false");
         Browser browser = Browser.start()) {
      fixture.awaitListed(4);
      openPage(browser);
      List<String> ids = new ArrayList<>(x.ids());
      ids.addAll(y.ids());
      for (String policy : List.of("round-robin", "random", "least-loaded", "sticky")) {
        // one shared BackendList: a page holds few EventSources per host, and 200 clients need only one list
        JsonArray chosen = (JsonArray) run(browser, """
            const [coordinator, policy] = args;
            const { Switchboard, BackendList } = await import('/switchboard.js');
            const list = new BackendList({ coordinators: [coordinator] });
            const clients = [];
            for (let i = 0; i < 200; i++) {
              clients.push(new Switchboard({ list, policy, key: 'user-' + i, intervalMs: 1000, timeoutMs: 10000, baseMs: 50, maxMs: 1000 }));
            }
            const opened = clients.map((c) => new Promise((r) => c.addEventListener('open', r, { once: true })));
            clients.forEach((c) => c.start());
            await Promise.all(opened);
            const on = clients.map((c) => c.backend.id);
            clients.forEach((c) => c.stop());
            list.stop();
            return on;
            """, fixture.coordinator().base(), policy);
        System.out.println("browser " + Spread.check(policy, chosen.stream().map(String::valueOf).toList(), ids));
        fixture.awaitNoConnections();
      }
    }
  }

  @Test
  void aFrozenBackendIsLeftOnAMissedPongBeforeTheListDropsIt() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("browser-frozen-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("browser-frozen-y", 1);
         Browser browser = Browser.start()) {
      fixture.awaitListed(2);
      openPage(browser);
      // a pong is due within 400 ms: sooner than the coordinator hides a silent node (1.5 s)
      String from = (String) run(browser, """
          const c = window.c = await makeClient({ coordinators: [args[0]], intervalMs: 100, timeoutMs: 400 });
          return c.backend.id;
          """, fixture.coordinator().base());
      (x.ids().contains(from) ? x : y).process().signal("STOP");
      JsonArray failovers = (JsonArray) run(browser, """
          const c = window.c;
          await until('the client to move', () => c.backend && c.backend.id !== args[0]);
          const f = c.failovers;
          c.stop();
          return f;
          """, from);
      assertEquals("heartbeat-timeout", failovers.getString(0), failovers.encode());
    }
  }
}
