package dev.switchboard.it;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
