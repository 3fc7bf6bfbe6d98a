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

  @Test
  void malformedListEventsAndFramesAreIgnoredAndTheClientCarriesOn() throws Exception {
    // a stand-in for a buggy or hostile peer (ours never send this), injected through the client's options
    Object result = browser.evalAsync("""
        const done = arguments[arguments.length - 1];
        import('/switchboard.js').then(async ({ Switchboard }) => {
          const uncaught = [];
          window.addEventListener('error', (e) => uncaught.push(String(e.message)));
          window.addEventListener('unhandledrejection', (e) => uncaught.push(String(e.reason)));
          class FakeEventSource extends EventTarget {
            constructor(url) { super(); FakeEventSource.last = this; this.readyState = 1; }
            close() { this.readyState = 2; }
            emit(type, data, lastEventId) { this.dispatchEvent(new MessageEvent(type, { data, lastEventId })); }
          }
          class FakeWebSocket {
            constructor(url) { FakeWebSocket.last = this; this.url = url; this.readyState = 1; this.bufferedAmount = 0; this.sent = []; }
            send(text) { this.sent.push(text); }
            close() { this.readyState = 3; }
            frame(text) { this.onmessage({ data: text }); }
          }
          const c = new Switchboard({ coordinators: ['http://coordinator.invalid'], EventSource: FakeEventSource, WebSocket: FakeWebSocket,
            intervalMs: 60000, timeoutMs: 60000, fetch: () => Promise.resolve() });
          const delivered = [];
          c.addEventListener('message', (e) => delivered.push(e.detail.type));
          c.start();
          const es = FakeEventSource.last;
          es.emit('snapshot', '{not json', 'e-1');
          es.emit('snapshot', '{"backends": 5}', 'e-2');
          es.emit('upsert', '{"id":"bad"}', 'e-3');
          es.emit('remove', 'null', 'e-4');
          es.emit('snapshot', JSON.stringify({ backends: [{ id: 'b1', url: 'ws://127.0.0.1:1/ws', state: 'UP', connections: 0, capacity: 9 }, { id: 7 }] }), 'e-5');
          const ws = FakeWebSocket.last;
          ws.onopen?.();
          const bad = ['garbage', '[1,2]', '42', 'null', '{"type":"joined","room":5,"seq":"x"}', '{"type":"ack","id":[],"seq":"bad"}',
            '{"type":"message","room":{},"seq":1}', '{"type":"drain","deadlineMs":"soon"}', '{"no":"type"}'];
          bad.forEach((t) => ws.frame(t));
          ws.frame('{"type":"welcome","session":"s1"}');
          bad.forEach((t) => ws.frame(t));
          ws.frame('{"type":"custom","n":1}');
          await new Promise((r) => setTimeout(r, 50));
          const r = { state: c.state, backends: [...c.backends.keys()], lastEventId: c.list.lastEventId, backend: c.backend?.id ?? null,
            delivered, uncaught };
          c.stop();
          return r;
        }).then(done).catch((e) => done('error: ' + e));
        """, new JsonArray());
    JsonObject r = (JsonObject) result;
    assertEquals("open", r.getString("state"), r.encode());
    assertEquals(new JsonArray().add("b1"), r.getJsonArray("backends"));
    assertEquals("e-5", r.getString("lastEventId"), "a malformed event does not move the resume point");
    assertEquals("b1", r.getString("backend"));
    // frames with a string type the client does not handle reach the application; nothing else does
    assertEquals(new JsonArray().add("custom"), r.getJsonArray("delivered"));
    assertEquals(new JsonArray(), r.getJsonArray("uncaught"));
  }
}
