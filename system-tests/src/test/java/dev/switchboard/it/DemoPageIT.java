package dev.switchboard.it;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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

  @Test
  void demoPageShowsThreeBackendsALiveRoundTripTimeAFleetSpreadAndScalesDrainsAndKillsThem() throws Exception {
    TestCluster cluster = TestCluster.unique();
    try (JvmProcess demo = JvmProcess.start("demo", "switchboard.demo.jar",
            cluster.args("--port", "0", "--page-port", "0", "--port-base", "0"));
         Browser browser = Browser.start()) {
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
      browser.screenshot(Path.of(System.getProperty("switchboard.logs", "target/it-logs"), "demo-page.png"));
      assertEquals(3, state[0].getInteger(0));
      assertTrue(state[0].getString(3).matches("\\d+ pongs from \\S+"), state[0].encode());

      browser.eval("document.getElementById('scale-up').click()");
      Http.await("a fourth backend on the page", Duration.ofSeconds(30),
          () -> ((JsonArray) browser.eval(PAGE_STATE)).getInteger(0) == 4);
      String drained = (String) browser.eval("const b = document.querySelector('#backends tr[data-backend] button.drain');"
          + " b.click(); return b.closest('tr').dataset.backend;");
      Http.await("the drained backend to leave the page", Duration.ofSeconds(30), () -> {
        JsonArray now = (JsonArray) browser.eval(PAGE_STATE);
        boolean gone = (Boolean) browser.eval("return !document.querySelector('#backends tr[data-backend=\"" + drained + "\"]')");
        // the whole fleet of 30 simulated clients is open again, on the remaining backends
        return gone && now.getInteger(0) == 3 && "open".equals(now.getString(1)) && now.getInteger(4) == 30 && now.getInteger(5) == 30;
      });
      browser.screenshot(Path.of(System.getProperty("switchboard.logs", "target/it-logs"), "demo-page-after-drain.png"));

      assertEquals(401, Http.get(page + "demo/nodes").statusCode(), "the node API needs the demo's token");
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
      int failoversBefore = Integer.parseInt(String.valueOf(browser.eval("return document.getElementById('fleet-failovers').textContent")));
      browser.eval("document.querySelector('" + row + " button.kill').click()");
      Http.await("the killed node gone and the whole fleet open again", Duration.ofSeconds(30), () -> {
        JsonArray now = (JsonArray) browser.eval(PAGE_STATE);
        boolean gone = (Boolean) browser.eval("return !document.querySelector('" + row + "')");
        int failovers = Integer.parseInt(String.valueOf(browser.eval("return document.getElementById('fleet-failovers').textContent")));
        return gone && now.getInteger(4) == 30 && now.getInteger(5) == 30 && failovers > failoversBefore;
      });
      browser.screenshot(Path.of(System.getProperty("switchboard.logs", "target/it-logs"), "demo-page-after-kill.png"));
    }
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
