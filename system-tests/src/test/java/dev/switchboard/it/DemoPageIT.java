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
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DemoPageIT {

  private static final String PAGE_STATE = "return [document.querySelectorAll('#backends tr[data-backend]').length,"
      + " document.getElementById('conn-state').textContent, document.getElementById('rtt').textContent,"
      + " document.getElementById('rtt-count').textContent, Number(document.getElementById('fleet-open').textContent),"
      + " [...document.querySelectorAll('#backends td.fleet')].reduce((n, td) => n + Number(td.textContent), 0)]";

  @Test
  void demoPageShowsThreeBackendsALiveRoundTripTimeAFleetSpreadAndScalesAndDrainsThem() throws Exception {
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
    }
  }
}
