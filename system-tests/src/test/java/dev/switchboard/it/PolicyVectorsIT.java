package dev.switchboard.it;

import dev.switchboard.demo.DemoPageVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The browser side of the shared policy vectors: policies.js, served by the demo page server and run
 * in headless Chromium, must pick exactly what the file (and so the Java client) says.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PolicyVectorsIT {

  // as PolicyVectorsTest.run: `allowed` restricts every pick, `excludePicked` excludes earlier picks
  private static final String RUN_VECTORS = """
      const [cases, done] = arguments;
      import('/policies.js').then((p) => {
        done(cases.map((c) => {
          const selector = p.createSelector(c.policy, c.backends, p.mulberry32(c.seed));
          const picked = new Set();
          const filtered = c.allowed || c.excludePicked;
          const allowed = (b) => (!c.allowed || c.allowed.includes(b.id)) && !picked.has(b.id);
          const one = (k) => {
            const id = (filtered ? selector.pick(k, allowed) : selector.pick(k))?.id ?? null;
            if (id !== null && c.excludePicked) picked.add(id);
            return id;
          };
          return c.keys ? c.keys.map(one) : Array.from({ length: c.picks }, () => one(undefined));
        }));
      }).catch((e) => done('error: ' + e));
      """;

  @Test
  void theBrowserClientPicksExactlyWhatTheSharedVectorsSay() throws Exception {
    JsonArray cases = new JsonObject(Files.readString(Path.of(System.getProperty("switchboard.policyVectors"))))
        .getJsonArray("cases");
    Vertx vertx = Vertx.vertx();
    try (Browser browser = Browser.start()) {
      DemoPageVerticle page = new DemoPageVerticle("127.0.0.1", 0, List.of("http://127.0.0.1:1"));
      vertx.deployVerticle(page).await(30, TimeUnit.SECONDS);
      browser.open("http://127.0.0.1:" + page.actualPort() + "/config.json");
      Object result = browser.evalAsync(RUN_VECTORS, new JsonArray().add(cases));
      JsonArray picks = result instanceof JsonArray a ? a : new JsonArray().add(String.valueOf(result));
      assertEquals(cases.size(), picks.size(), "one answer per case: " + result);
      for (int i = 0; i < cases.size(); i++) {
        JsonObject c = cases.getJsonObject(i);
        assertEquals(c.getJsonArray("expected"), picks.getJsonArray(i), c.getString("name"));
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
