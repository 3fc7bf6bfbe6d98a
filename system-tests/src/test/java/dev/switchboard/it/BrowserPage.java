package dev.switchboard.it;

import dev.switchboard.demo.DemoPageVerticle;
import io.vertx.core.json.JsonArray;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The page the browser-client tests run in: the demo page's origin with helpers to make and await clients. */
final class BrowserPage {

  private BrowserPage() {
  }

  private static final String PAGE_HELPERS = """
      window.until = async (what, cond, ms = 30000) => {
        const end = Date.now() + ms;
        while (!cond()) {
          if (Date.now() > end) throw new Error('timed out waiting for ' + what);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      window.makeClient = async (options, waitOpen = true) => {
        const { Switchboard } = await import('/switchboard.js');
        const c = new Switchboard({ intervalMs: 500, timeoutMs: 2000, baseMs: 50, maxMs: 1000, ...options });
        c.got = []; c.failovers = []; c.states = [];
        c.addEventListener('message', (e) => c.got.push(e.detail));
        c.addEventListener('failover', (e) => c.failovers.push(e.detail.reason));
        c.addEventListener('move', (e) => c.failovers.push('move:' + e.detail.reason));
        c.addEventListener('state', (e) => c.states.push(e.detail.state));
        const opened = new Promise((r) => c.addEventListener('open', r, { once: true }));
        c.start();
        if (waitOpen) await opened;
        return c;
      };
      return 'ready';
      """;

  /** Opens the demo page's origin (following {@code fixture}'s coordinator) in {@code browser} and installs the helpers. */
  static void open(Browser browser, CoordinatorFixture fixture) throws Exception {
    open(browser, fixture, "127.0.0.1");
  }

  /**
   * As {@link #open(Browser, CoordinatorFixture)}, with the page reached through {@code host} (e.g.
   * {@code localhost}: the same server, another origin); returns the page's origin.
   */
  static String open(Browser browser, CoordinatorFixture fixture, String host) throws Exception {
    DemoPageVerticle page = new DemoPageVerticle("127.0.0.1", 0, List.of(fixture.coordinator().base()));
    fixture.vertx().deployVerticle(page).await(30, TimeUnit.SECONDS);
    String origin = "http://" + host + ":" + page.actualPort();
    visit(browser, origin);
    return origin;
  }

  /** (Re)loads a page opened before, at {@code origin}, with fresh helpers and no client left. */
  static void visit(Browser browser, String origin) throws Exception {
    browser.open(origin + "/config.json");
    browser.eval(PAGE_HELPERS);
  }

  /** Runs {@code body} as an async function of {@code args} in the page; fails the test on a thrown error. */
  static Object run(Browser browser, String body, Object... args) throws Exception {
    String script = "const done = arguments[arguments.length - 1];\n(async (args) => {\n" + body
        + "\n})(Array.from(arguments).slice(0, -1)).then(done).catch((e) => done('error: ' + e));";
    Object result = browser.evalAsync(script, new JsonArray(List.of(args)));
    assertTrue(!(result instanceof String s) || !s.startsWith("error"), String.valueOf(result));
    return result;
  }
}
