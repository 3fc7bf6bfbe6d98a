package dev.switchboard.it;

import dev.switchboard.client.BackendListStream;
import dev.switchboard.client.Backoff;
import dev.switchboard.demo.DemoPageVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * switchboard.js as a module in headless Chromium: its runtime exports are exactly the values its
 * TypeScript declarations promise, and its backoff and first-coordinator choice compute what the Java
 * client computes.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BrowserModuleIT {

  private static final List<String> COORDINATORS = List.of("http://10.0.0.1:8080", "http://10.0.0.2:8080", "http://10.0.0.3:8080");

  private static Vertx vertx;
  private static Browser browser;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    DemoPageVerticle page = new DemoPageVerticle("127.0.0.1", 0, List.of("http://127.0.0.1:1"));
    vertx.deployVerticle(page).await(30, TimeUnit.SECONDS);
    port = page.actualPort();
    browser = Browser.start();
    browser.open("http://127.0.0.1:" + port + "/config.json");
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theRuntimeExportsAreExactlyTheDeclaredValues() throws Exception {
    String types = Http.get("http://127.0.0.1:" + port + "/switchboard.d.ts").body();
    Set<String> declared = new TreeSet<>();
    Matcher m = Pattern.compile("export declare (?:class|const|function) (\\w+)").matcher(types);
    while (m.find()) {
      declared.add(m.group(1));
    }
    Object exports = browser.evalAsync("""
        const done = arguments[arguments.length - 1];
        import('/switchboard.js').then((m) => done(Object.keys(m))).catch((e) => done('error: ' + e));
        """, new JsonArray());
    assertEquals(declared, new TreeSet<>(((JsonArray) exports).getList()));
  }

  @Test
  void backoffAndTheFirstCoordinatorMatchTheJavaClient() throws Exception {
    JsonArray cases = new JsonArray();
    JsonArray expected = new JsonArray();
    for (int attempt = 0; attempt < 40; attempt += 3) {
      for (double r : new double[] {0.0, 0.37, 0.999}) {
        for (double jitter : new double[] {0.0, 0.5, 1.0}) {
          cases.add(new JsonArray().add(attempt).add(r).add(jitter));
          expected.add(Backoff.delayMs(attempt, 250, 10_000, jitter, () -> r));
        }
      }
    }
    JsonArray keys = new JsonArray();
    JsonArray firsts = new JsonArray();
    for (int i = 0; i < 30; i++) {
      keys.add("user-" + i);
      firsts.add(BackendListStream.startIndex(COORDINATORS, "user-" + i, () -> 0.0));
    }
    Object result = browser.evalAsync("""
        const [cases, coordinators, keys, done] = arguments;
        Promise.all([import('/switchboard.js'), import('/backend-list.js')]).then(([sb, bl]) => done({
          delays: cases.map(([attempt, r, jitter]) => sb.backoff(attempt, 250, 10000, () => r, jitter)),
          firsts: keys.map((k) => bl.startIndex(coordinators, k)),
        })).catch((e) => done('error: ' + e));
        """, new JsonArray().add(cases).add(new JsonArray(COORDINATORS)).add(keys));
    JsonObject answer = (JsonObject) result;
    assertEquals(expected, answer.getJsonArray("delays"));
    assertEquals(firsts, answer.getJsonArray("firsts"));
  }
}
