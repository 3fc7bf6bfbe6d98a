package dev.switchboard.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Identity at the door with switchboard.js in headless Chromium and real JVMs: the page fetches its
 * tickets from a ticket endpoint (as an application would), the backend node takes HS256 tickets and
 * only the page's origin. A valid ticket opens and its rooms decide joins and publishes; expired,
 * wrongly signed, unsigned and missing tickets never open and get no backend reported; a move asks the
 * callback again and the new backend admits the fresh ticket; the same page on another origin is refused.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class BrowserTicketsIT {

  private static final String TOKEN = "browser-tickets-admin-token";

  private static CoordinatorFixture fixture;
  private static TicketMint mint;
  private static String mintUrl;
  private static Browser browser;
  private static String listedOrigin;
  private static TestCluster.BackendNode node;

  /** A ticket callback counting its calls and keeping the last ticket; {@code sub} "user-n" of a ticket gives its n. */
  private static final String TICKETS = """
      window.tickets = (mint, kind = 'valid') => {
        const t = { asked: 0, last: null };
        t.callback = async () => {
          t.asked++;
          t.last = await (await fetch(`${mint}/ticket?kind=${kind}`, { cache: 'no-store' })).text();
          return t.last;
        };
        t.n = () => JSON.parse(atob(t.last.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).sub.split('-')[1];
        return t;
      };
      window.refusal = (promise) => promise.then(() => null, (e) => ({ name: e.name, code: e.code, room: e.room, id: typeof e.id }));
      """;

  @BeforeAll
  static void start() throws Exception {
    mint = new TicketMint();
    fixture = CoordinatorFixture.start("coordinator-browser-tickets", "--admin-token", TOKEN);
    mintUrl = "http://127.0.0.1:" + mint.serve(fixture.vertx());
    browser = Browser.start();
    listedOrigin = BrowserPage.open(browser, fixture, "127.0.0.1");
    node = fixture.cluster().backendNode("browser-tickets", 2, "--ticket-secret", TicketMint.SECRET,
        "--allowed-origins", listedOrigin, "--rebalance", "false");
    fixture.awaitListed(2);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (node != null) {
        node.close();
      }
      if (fixture != null) {
        fixture.close();
      }
    }
  }

  /** The listed page with fresh helpers and the ticket helpers. */
  private static void page(String origin) throws Exception {
    BrowserPage.visit(browser, origin);
    browser.eval(TICKETS);
  }

  private static List<String> backendIds() throws Exception {
    return Http.getJson(fixture.coordinator().base() + "/v1/backends").getJsonArray("backends").stream()
        .map(o -> ((JsonObject) o).getString("id")).toList();
  }

  private static void assertNoBackendReported() throws Exception {
    for (String id : backendIds()) {
      assertEquals(0, Http.getJson(fixture.coordinator().base() + "/v1/backends/" + id + "/reports").getInteger("reporters"), id);
    }
  }

  @Test
  void aValidTicketOpensAndItsRoomsDecideJoinsAndPublishes() throws Exception {
    fixture.awaitListed(2);
    page(listedOrigin);
    JsonObject result = (JsonObject) BrowserPage.run(browser, """
        const [coordinator, mint] = args;
        const t = tickets(mint);
        const c = await makeClient({ coordinators: [coordinator], ticket: t.callback });
        const n = t.n();
        await c.join('lobby');
        await c.join('r-' + n);
        const seq = await c.publish('r-' + n, 'hello');
        const join = await refusal(c.join('admin'));
        const publish = await refusal(c.publish('lobby', 'not mine to say'));
        c.stop();
        return { asked: t.asked, seq, join, publish };
        """, fixture.coordinator().base(), mintUrl);
    assertEquals(1, result.getInteger("asked"), result.encode());
    assertTrue(result.getInteger("seq") >= 0, result.encode());
    assertEquals(new JsonObject().put("name", "ForbiddenError").put("code", "forbidden").put("room", "admin").put("id", "undefined"),
        result.getJsonObject("join"));
    assertEquals(new JsonObject().put("name", "ForbiddenError").put("code", "forbidden").put("room", "lobby").put("id", "string"),
        result.getJsonObject("publish"));
  }

  @Test
  void expiredWronglySignedUnsignedAndMissingTicketsNeverOpenAndGetNoBackendReported() throws Exception {
    fixture.awaitListed(2);
    page(listedOrigin);
    JsonObject result = (JsonObject) BrowserPage.run(browser, """
        const [coordinator, mint, kinds] = args;
        const out = {};
        for (const kind of kinds) {
          const t = tickets(mint, kind);
          const c = await makeClient({ coordinators: [coordinator], ticket: kind === 'missing' ? undefined : t.callback }, false);
          let opened = false;
          c.addEventListener('open', () => { opened = true; });
          await until(kind + ': refused attempts', () => c.connectAttempts >= 3 && c.state === 'offline', 20000);
          out[kind] = { opened, asked: t.asked, attempts: c.connectAttempts };
          c.stop();
        }
        await new Promise((r) => setTimeout(r, 1000)); // any report would have been sent by now
        return out;
        """, fixture.coordinator().base(), mintUrl, new JsonArray(List.of("expired", "wrong-key", "none", "missing")));
    for (String kind : List.of("expired", "wrong-key", "none", "missing")) {
      JsonObject r = result.getJsonObject(kind);
      assertFalse(r.getBoolean("opened"), kind + ": " + r.encode());
      if (!"missing".equals(kind)) {
        assertTrue(r.getInteger("asked") >= 3, kind + ": a ticket asked for every attempt: " + r.encode());
      }
    }
    assertNoBackendReported();
  }

  @Test
  void aMoveAsksTheCallbackAgainAndTheNewBackendAdmitsTheFreshTicket() throws Exception {
    fixture.awaitListed(2);
    page(listedOrigin);
    JsonObject before = (JsonObject) BrowserPage.run(browser, """
        const [coordinator, mint] = args;
        const t = window.t = tickets(mint);
        const c = window.c = await makeClient({ coordinators: [coordinator], ticket: t.callback });
        await c.join('lobby');
        await c.join('r-' + t.n());
        return { backend: c.backend.id, asked: t.asked, n: t.n() };
        """, fixture.coordinator().base(), mintUrl);
    String from = before.getString("backend");
    HttpResponse<String> drain = Http.post(fixture.coordinator().base() + "/v1/admin/backends/" + from + "/drain?deadlineMs=3000",
        TOKEN, null);
    assertEquals(202, drain.statusCode(), drain.body());
    JsonObject after = (JsonObject) BrowserPage.run(browser, """
        const [from] = args;
        await until('moved off the drained backend', () => c.backend && c.backend.id !== from, 20000);
        const n = t.n();
        await c.join('r-' + n);
        const old = await refusal(c.join('r-' + args[1]));
        const seq = await c.publish('r-' + n, 'after the move');
        const r = { backend: c.backend.id, asked: t.asked, n, old, seq, failovers: c.failovers };
        c.stop();
        return r;
        """, from, before.getString("n"));
    try {
      assertTrue(after.getInteger("asked") > before.getInteger("asked"), "asked again for the move: " + after.encode());
      assertNotEquals(before.getString("n"), after.getString("n"), after.encode());
      assertEquals("r-" + before.getString("n"), after.getJsonObject("old").getString("room"), after.encode());
      assertTrue(after.getInteger("seq") >= 0, after.encode());
      assertEquals(new JsonArray().add("move:drain"), after.getJsonArray("failovers"), after.encode());
    } finally {
      // the drained backend leaves: the node gets its second backend back
      String nodeId = Http.getJson(fixture.coordinator().base() + "/v1/backends").getJsonArray("backends").stream()
          .map(o -> (JsonObject) o).filter(b -> !b.getString("id").equals(from)).findFirst().orElseThrow().getString("node");
      Http.post(fixture.coordinator().base() + "/v1/admin/nodes/" + nodeId + "/scale", TOKEN, new JsonObject().put("instances", 2));
      Http.await("two UP backends again, the drained one gone", Duration.ofSeconds(30), () -> {
        List<String> ids = backendIds();
        return ids.size() == 2 && !ids.contains(from);
      });
    }
  }

  @Test
  void thePageOnAnUnlistedOriginIsRefusedAndOnTheListedOneConnects() throws Exception {
    fixture.awaitListed(2);
    String unlisted = BrowserPage.open(browser, fixture, "localhost");
    assertNotEquals(listedOrigin, unlisted);
    browser.eval(TICKETS);
    JsonObject refused = (JsonObject) BrowserPage.run(browser, """
        const [coordinator, mint] = args;
        const t = tickets(mint);
        const c = await makeClient({ coordinators: [coordinator], ticket: t.callback }, false);
        let opened = false;
        c.addEventListener('open', () => { opened = true; });
        await until('refused attempts', () => c.connectAttempts >= 3 && c.state === 'offline', 20000);
        c.stop();
        return { origin: location.origin, opened, listed: c.backends.size };
        """, fixture.coordinator().base(), mintUrl);
    assertEquals(unlisted, refused.getString("origin"));
    assertEquals(2, refused.getInteger("listed"), "the list itself is served to any origin: " + refused.encode());
    assertFalse(refused.getBoolean("opened"), refused.encode());
    page(listedOrigin);
    JsonObject welcomed = (JsonObject) BrowserPage.run(browser, """
        const [coordinator, mint] = args;
        const c = await makeClient({ coordinators: [coordinator], ticket: tickets(mint).callback });
        const r = { origin: location.origin, backend: c.backend.id };
        c.stop();
        return r;
        """, fixture.coordinator().base(), mintUrl);
    assertEquals(listedOrigin, welcomed.getString("origin"));
    assertNoBackendReported();
  }
}
