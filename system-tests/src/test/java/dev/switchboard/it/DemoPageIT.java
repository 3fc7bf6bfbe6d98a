package dev.switchboard.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo as a person sees it: the demo jar's embedded cluster, its page in a real headless Chromium. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DemoPageIT {

  private static final String PAGE_STATE = "return [document.querySelectorAll('#backends tr[data-backend]').length,"
      + " document.getElementById('conn-state').textContent, document.getElementById('rtt').textContent,"
      + " document.getElementById('rtt-count').textContent, Number(document.getElementById('fleet-open').textContent),"
      + " [...document.querySelectorAll('#backends td.fleet')].reduce((n, td) => n + Number(td.textContent), 0)]";

  /** How many points each backend's chart series has, and whether it ended: {id: [points, ended]}. */
  private static final String SERIES = "return Object.fromEntries([...document.querySelectorAll('#chart polyline.series')]"
      + ".map((p) => [p.dataset.backend, [Number(p.dataset.points), p.dataset.ended === 'true']]))";

  @Test
  void demoPageShowsThreeBackendsALiveRoundTripTimeAFleetSpreadAndScalesDrainsAndKillsThem() throws Exception {
    TestCluster cluster = TestCluster.unique();
    try (JvmProcess demo = JvmProcess.start("demo", "switchboard.demo.jar",
            cluster.args("--port", "0", "--page-port", "0", "--port-base", "0"));
         Browser browser = Browser.start()) {
      String coordinator = demo.awaitLine("demo is running: coordinator (http://127\\.0\\.0\\.1:\\d+)", Duration.ofSeconds(120)).group(1);
      String page = demo.awaitLine("open (http://localhost:\\d+/)", Duration.ofSeconds(120)).group(1);
      assertTokenOnlyInThePageItServed(page);
      browser.open(page);
      JsonArray[] state = new JsonArray[1];
      Http.await("3 backends, an open connection and a round-trip time on the page", Duration.ofSeconds(30), () -> {
        state[0] = (JsonArray) browser.eval(PAGE_STATE);
        return state[0].getInteger(0) == 3 && "open".equals(state[0].getString(1)) && state[0].getString(2).endsWith(" ms")
            && state[0].getInteger(4) == 30 && state[0].getInteger(5) == 30;
      });
      String firstCount = state[0].getString(3);
      Http.await("the round trip to keep updating", Duration.ofSeconds(15), () -> {
        state[0] = (JsonArray) browser.eval(PAGE_STATE);
        return !state[0].getString(3).equals(firstCount);
      });
      assertEquals(3, state[0].getInteger(0));
      assertTrue(state[0].getString(3).matches("\\d+ pongs from \\S+"), state[0].encode());
      Http.await("a chart series per backend", Duration.ofSeconds(15), () -> series(browser).size() == 3
          && series(browser).values().stream().allMatch(p -> p.getInteger(0) >= 2));
      Http.await("the backends grouped under their node, with uptime and a round trip each", Duration.ofSeconds(15),
          () -> (Boolean) browser.eval("const n = document.querySelectorAll('#backends tr.node');"
              + " return n.length === 1 && n[0].textContent.includes('alive')"
              + " && [...document.querySelectorAll('#backends td.rtt')].every((td) => td.textContent.endsWith(' ms'))"
              + " && [...document.querySelectorAll('#backends td.uptime')].every((td) => / s$/.test(td.textContent))"));

      // the page scales its node by the id's first 8 characters: the admin API takes a unique prefix
      browser.eval("document.getElementById('scale-up').click()");
      Http.await("a fourth backend on the page", Duration.ofSeconds(30),
          () -> ((JsonArray) browser.eval(PAGE_STATE)).getInteger(0) == 4);
      Http.await("a fourth chart series that grows", Duration.ofSeconds(15), () -> {
        Map<String, JsonArray> now = series(browser);
        return now.size() == 4 && now.values().stream().allMatch(p -> p.getInteger(0) >= 2);
      });
      String drained = (String) browser.eval("const b = document.querySelector('#backends tr[data-backend] button.drain');"
          + " b.click(); return b.closest('tr').dataset.backend;");
      Http.await("the drained backend to leave the page", Duration.ofSeconds(30), () -> {
        JsonArray now = (JsonArray) browser.eval(PAGE_STATE);
        boolean gone = (Boolean) browser.eval("return !document.querySelector('#backends tr[data-backend=\"" + drained + "\"]')");
        // the whole fleet of 30 simulated clients is open again, on the remaining backends
        return gone && now.getInteger(0) == 3 && "open".equals(now.getString(1)) && now.getInteger(4) == 30 && now.getInteger(5) == 30;
      });
      Http.await("the drained backend's series to end, marked draining then removed", Duration.ofSeconds(10), () -> {
        JsonArray line = series(browser).get(drained);
        return line != null && line.getBoolean(1) && (Boolean) browser.eval(
            "return ['draining', 'removed'].every((c) => document.querySelector('#chart g.mark[data-change=' + c + '][data-backend=\"" + drained + "\"]'))");
      });
      int pointsAtEnd = series(browser).get(drained).getInteger(0);
      Thread.sleep(2_500); // samples are taken every second: an ended series must not take any more
      assertEquals(pointsAtEnd, series(browser).get(drained).getInteger(0), "an ended series stays as it ended");
      assertTrue(timelineText(browser).contains("drain " + drained + " (deadline 5 s) → 202 ok"), timelineText(browser));

      assertEquals(401, Http.get(page + "demo/nodes").statusCode(), "the node API needs the demo's token");
      int failuresBeforeStart = counter(browser, "fleet-failovers");
      int movesBeforeStart = counter(browser, "fleet-moves");
      browser.eval("document.getElementById('node-start').click()");
      String[] spawned = new String[1];
      Http.await("a backend of a node JVM of its own, with a Kill button", Duration.ofSeconds(90), () -> {
        spawned[0] = (String) browser.eval("const b = document.querySelector('#backends tr[data-backend] button.kill');"
            + " return b ? b.closest('tr').dataset.backend : null;");
        return spawned[0] != null;
      });
      String row = "#backends tr[data-backend=\"" + spawned[0] + "\"]";
      Http.await("fleet clients on the new node (the backends rebalance)", Duration.ofSeconds(60),
          () -> Integer.parseInt(String.valueOf(browser.eval("return document.querySelector('" + row + " td.fleet').textContent"))) > 0);
      Http.await("the whole fleet open again after the rebalance", Duration.ofSeconds(30),
          () -> ((JsonArray) browser.eval(PAGE_STATE)).getInteger(4) == 30);
      // the counters are redrawn at most every 200 ms, after the moves they count
      Http.await("the rebalance onto the new node counted as planned moves", Duration.ofSeconds(15),
          () -> counter(browser, "fleet-moves") > movesBeforeStart);
      assertEquals(failuresBeforeStart, counter(browser, "fleet-failovers"),
          "a node start moves clients as planned, it fails none: " + timelineText(browser));

      int failuresBefore = counter(browser, "fleet-failovers");
      browser.eval("document.querySelector('" + row + " button.kill').click()");
      Http.await("the killed node gone and the whole fleet open again", Duration.ofSeconds(30), () -> {
        JsonArray now = (JsonArray) browser.eval(PAGE_STATE);
        boolean gone = (Boolean) browser.eval("return !document.querySelector('" + row + "')");
        return gone && now.getInteger(4) == 30 && now.getInteger(5) == 30 && counter(browser, "fleet-failovers") > failuresBefore;
      });
      // newest first: the kill and its answer are older (further down) than the failures it caused
      JsonArray order = (JsonArray) browser.eval("const items = [...document.querySelectorAll('#timeline li')];"
          + " const kill = items.findIndex((li) => li.textContent.includes('kill -9 node JVM'));"
          + " return [kill, items.findIndex((li) => li.dataset.kind === 'failure'), kill >= 0 ? items[kill].textContent : null]");
      assertTrue(order.getInteger(0) > order.getInteger(1) && order.getInteger(1) >= 0, order.encode());
      assertTrue(order.getString(2).contains("→ 200 ok"), order.encode());
      Http.await("the killed node's series to end", Duration.ofSeconds(10), () -> series(browser).get(spawned[0]).getBoolean(1));

      browser.resize(1200, 1500);
      Thread.sleep(1_500); // one more sample and a redraw at the new size
      browser.screenshot(Path.of(System.getProperty("switchboard.logs", "target/it-logs"), "demo-page-after-kill.png"));
      // the README's picture: the whole story on one page (scale-out, drain, node start, kill)
      browser.screenshot(Path.of(System.getProperty("switchboard.docs", "target/it-logs"), "demo-page.png"));

      assertPageOnlyModeSaysHowToEnableTheControls(browser, coordinator);
    }
  }

  /** Without an admin token the page shows no controls, and says how to get them. */
  private static void assertPageOnlyModeSaysHowToEnableTheControls(Browser browser, String coordinator) throws Exception {
    try (JvmProcess pageOnly = JvmProcess.start("demo-page-only", "switchboard.demo.jar",
        "--coordinator", coordinator, "--page-port", "0")) {
      String page = pageOnly.awaitLine("open (http://localhost:\\d+/)", Duration.ofSeconds(60)).group(1);
      browser.open(page);
      Http.await("backends listed, no controls, and the hint naming --admin-token", Duration.ofSeconds(30), () -> (Boolean) browser.eval(
          "const hint = document.getElementById('controls-hint');"
              + " return document.querySelectorAll('#backends tr[data-backend]').length > 0"
              + " && document.getElementById('controls').hidden && !hint.hidden && hint.textContent.includes('--admin-token')"
              + " && !document.querySelector('#backends button.drain')"));
    }
  }

  private static Map<String, JsonArray> series(Browser browser) throws Exception {
    JsonObject all = (JsonObject) browser.eval(SERIES);
    Map<String, JsonArray> out = new HashMap<>();
    all.forEach(e -> out.put(e.getKey(), (JsonArray) e.getValue()));
    return out;
  }

  private static int counter(Browser browser, String id) throws Exception {
    return Integer.parseInt(String.valueOf(browser.eval("return document.getElementById('" + id + "').textContent")));
  }

  private static String timelineText(Browser browser) throws Exception {
    return String.valueOf(browser.eval("return [...document.querySelectorAll('#timeline li')].map((li) => li.textContent).join('\\n')"));
  }

  /**
   * The admin token is in the page the server served, not in /config.json, and a request naming another
   * host (a DNS-rebinding page) gets 421 and no token.
   */
  private static void assertTokenOnlyInThePageItServed(String page) throws Exception {
    String html = Http.get(page).body();
    assertTrue(html.contains("<meta name=\"switchboard-admin\" content=\"{&quot;token&quot;:"), html);
    String config = Http.get(page + "config.json").body();
    assertFalse(config.contains("token"), config);
    int port = URI.create(page).getPort();
    for (String path : new String[] {"/", "/config.json"}) {
      String rebound = rawGet(port, path, "rebind.example:" + port);
      assertTrue(rebound.startsWith("HTTP/1.1 421"), rebound);
      assertFalse(rebound.contains("token"), rebound);
    }
  }

  private static String rawGet(int port, String path, String host) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
