package dev.switchboard.it;

import dev.switchboard.demo.DemoPageVerticle;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * switchboard.js in a real headless Chromium against a cluster of separate JVMs: a backend is killed
 * with kill -9 while a client publishes; every acked publish reaches both clients exactly once.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class BrowserClientIT {

  private static final String SETUP = """
      const [coordinator, done] = arguments;
      import('/switchboard.js').then(async ({ Switchboard }) => {
        const make = (name) => {
          const c = new Switchboard({ coordinators: [coordinator], intervalMs: 500, timeoutMs: 2000, baseMs: 50, maxMs: 1000 });
          c.got = []; c.failovers = [];
          c.addEventListener('message', (e) => { if (e.detail.type === 'message') c.got.push(e.detail); });
          c.addEventListener('failover', (e) => c.failovers.push(e.detail.reason));
          const opened = new Promise((r) => c.addEventListener('open', r, { once: true }));
          c.start();
          return opened.then(() => c);
        };
        window.a = await make('a');
        window.b = await make('b');
        await window.a.join('r');
        await window.b.join('r');
        done(window.a.current.backend.id);
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
          failovers: window.a.failovers, backend: window.a.current?.backend.id ?? null,
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
        c.addEventListener('failover', (e) => c.failovers.push(e.detail.reason));
        const opened = new Promise((r) => c.addEventListener('open', r, { once: true }));
        c.start();
        await opened;
        window.c = c;
        await c.join('d');
        await c.publish('d', 'before');
        done(c.current.backend.id);
      }).catch((e) => done('error: ' + e));
      """;

  private static final String AFTER_DRAIN = """
      const [from, done] = arguments;
      const wait = async () => {
        while (!window.c.current || window.c.current.backend.id === from) await new Promise((r) => setTimeout(r, 20));
        await window.c.publish('d', 'after');
        while (window.c.got.length < 2) await new Promise((r) => setTimeout(r, 20));
        return { got: window.c.got, failovers: window.c.failovers, backend: window.c.current.backend.id };
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
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("browser-backend-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("browser-backend-y", 1);
         Browser browser = Browser.start()) {
      Http.await("both backends listed", Duration.ofSeconds(15), () -> Http.getJson(fixture.coordinator().base() + "/v1/backends")
          .getJsonArray("backends").size() == 2);
      DemoPageVerticle page = new DemoPageVerticle("127.0.0.1", 0, List.of(fixture.coordinator().base()));
      fixture.vertx().deployVerticle(page).await(30, TimeUnit.SECONDS);
      browser.open("http://127.0.0.1:" + page.actualPort() + "/config.json");
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
    try (TestCluster.BackendNode x = fixture.cluster().backendNode("browser-drain-x", 1);
         TestCluster.BackendNode y = fixture.cluster().backendNode("browser-drain-y", 1);
         Browser browser = Browser.start()) {
      Http.await("both backends listed", Duration.ofSeconds(15), () -> Http.getJson(fixture.coordinator().base() + "/v1/backends")
          .getJsonArray("backends").stream().map(o -> (JsonObject) o)
          .filter(r -> x.ids().contains(r.getString("id")) || y.ids().contains(r.getString("id"))).count() == 2);
      DemoPageVerticle page = new DemoPageVerticle("127.0.0.1", 0, List.of(fixture.coordinator().base()));
      fixture.vertx().deployVerticle(page).await(30, TimeUnit.SECONDS);
      browser.open("http://127.0.0.1:" + page.actualPort() + "/config.json");
      String from = (String) browser.evalAsync(DRAIN_SETUP, new JsonArray().add(fixture.coordinator().base()));
      assertTrue(from != null && !from.startsWith("error"), from);
      assertEquals(202, Http.post(fixture.coordinator().base() + "/v1/admin/backends/" + from + "/drain?deadlineMs=4000", TOKEN, null)
          .statusCode());
      Object raw = browser.evalAsync(AFTER_DRAIN, new JsonArray().add(from));
      assertTrue(raw instanceof JsonObject, String.valueOf(raw));
      JsonObject result = (JsonObject) raw;
      assertEquals(new JsonArray().add("before").add("after"), result.getJsonArray("got"));
      assertEquals(new JsonArray().add("drain"), result.getJsonArray("failovers"), "a move, not a failure");
      assertNotEquals(from, result.getString("backend"));
    }
  }
}
