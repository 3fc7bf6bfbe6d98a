package dev.switchboard.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Balance with switchboard.js in headless Chromium against real backend JVMs: a burst of least-loaded
 * clients ends balanced with no client moved twice, and clients of a killed backend never try it again
 * while another is listed (every WebSocket the page constructs is counted by URL).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BrowserBalanceIT {

  private static CoordinatorFixture fixture;

  @BeforeAll
  static void start() throws Exception {
    fixture = CoordinatorFixture.start("coordinator-browser-balance");
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  /** A fleet sharing one list (a page opens few EventSources per host), each WebSocket attempt counted by URL. */
  private static final String FLEET = """
      const { BackendList } = await import('/switchboard.js');
      const [coordinator, size, policy] = args;
      const attempts = window.attempts = {};
      class CountingWebSocket extends WebSocket {
        constructor(url) { attempts[url] = (attempts[url] ?? 0) + 1; super(url); }
      }
      const list = window.list = new BackendList({ coordinators: [coordinator] });
      list.start();
      await until('the list', () => list.backends.size > 0);
      window.fleet = await Promise.all(Array.from({ length: size }, (_, i) =>
        makeClient({ list, policy, key: `user-${i}`, intervalMs: 1000, timeoutMs: 4000, WebSocket: CountingWebSocket })));
      return 'started';
      """;

  private static final String SPREAD = """
      const spread = {};
      for (const c of window.fleet) if (c.backend) spread[c.backend.id] = (spread[c.backend.id] ?? 0) + 1;
      return { spread, failovers: window.fleet.flatMap((c) => c.failovers.filter((f) => !f.startsWith('move:'))),
        movedTwice: window.fleet.filter((c) => c.failovers.filter((f) => f.startsWith('move:')).length > 1).length,
        moved: window.fleet.filter((c) => c.failovers.some((f) => f.startsWith('move:'))).length, attempts: window.attempts };
      """;

  @Test
  void leastLoadedClientsStartedTogetherOverTwoBackendsEndWithinTenPercentOfTheMean() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode node = fixture.cluster().backendNode("browser-burst", 2);
         Browser browser = Browser.start()) {
      fixture.awaitListed(2);
      BrowserPage.open(browser, fixture);
      BrowserPage.run(browser, FLEET, fixture.coordinator().base(), 120, "least-loaded");
      System.out.println("browser least-loaded burst of 120, at once: " + BrowserPage.run(browser, SPREAD));
      BrowserPage.run(browser, """
          await until('the fleet within 1.10 x the mean', () => {
            const spread = {};
            for (const c of window.fleet) if (c.backend) spread[c.backend.id] = (spread[c.backend.id] ?? 0) + 1;
            const counts = args[0].map((id) => spread[id] ?? 0);
            return counts.reduce((a, b) => a + b, 0) === 120 && counts.every((n) => n <= 1.10 * 60);
          }, 20000);
          return 'balanced';
          """, new JsonArray(node.ids()));
      JsonObject settled = (JsonObject) BrowserPage.run(browser, SPREAD);
      System.out.println("browser least-loaded burst of 120, settled: " + settled.encode());
      assertEquals(0, settled.getInteger("movedTwice"), settled.encode());
      assertEquals(new JsonArray(), settled.getJsonArray("failovers"), settled.encode());
      BrowserPage.run(browser, "window.fleet.forEach((c) => c.stop()); window.list.stop(); return 'stopped';");
    }
    fixture.awaitListed(0);
  }

  @Test
  void clientsOfAKilledBackendNeverTryItAgainWhileAnotherIsListed() throws Exception {
    fixture.awaitListed(0);
    try (TestCluster.BackendNode a = fixture.cluster().backendNode("browser-kill-a", 1, "--rebalance", "false");
         TestCluster.BackendNode b = fixture.cluster().backendNode("browser-kill-b", 1, "--rebalance", "false");
         TestCluster.BackendNode c = fixture.cluster().backendNode("browser-kill-c", 1, "--rebalance", "false");
         Browser browser = Browser.start()) {
      fixture.awaitListed(3);
      BrowserPage.open(browser, fixture);
      BrowserPage.run(browser, FLEET, fixture.coordinator().base(), 60, "round-robin");
      String victim = a.ids().get(0);
      JsonObject before = (JsonObject) BrowserPage.run(browser, SPREAD);
      String victimUrl = Http.getJson(fixture.coordinator().base() + "/v1/backends").getJsonArray("backends").stream()
          .map(o -> (JsonObject) o).filter(r -> r.getString("id").equals(victim)).findFirst().orElseThrow().getString("url");
      int attemptsBefore = before.getJsonObject("attempts").getInteger(victimUrl);
      int affected = before.getJsonObject("spread").getInteger(victim, 0);
      assertTrue(affected > 0, before.encode());
      a.process().kill9();
      List<String> survivors = new ArrayList<>(b.ids());
      survivors.addAll(c.ids());
      BrowserPage.run(browser, """
          await until('every client on a survivor', () => window.fleet.every((c) => c.backend && args[0].includes(c.backend.id)), 20000);
          return 'moved';
          """, new JsonArray(survivors));
      fixture.awaitListed(2);
      JsonObject after = (JsonObject) BrowserPage.run(browser, SPREAD);
      System.out.println("browser fleet after kill -9 of " + victim + ": " + after.encode());
      assertEquals(attemptsBefore, after.getJsonObject("attempts").getInteger(victimUrl), "attempts on the killed backend: " + after.encode());
      assertEquals(affected, after.getJsonArray("failovers").size(), after.encode());
      BrowserPage.run(browser, "window.fleet.forEach((c) => c.stop()); window.list.stop(); return 'stopped';");
    }
    fixture.awaitListed(0);
  }
}
