package dev.switchboard.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A real headless Chromium driven through chromedriver's W3C WebDriver HTTP API (a handful of JSON
 * calls, so no Selenium dependency). Paths default to Debian's packages and can be overridden with
 * {@code -Dswitchboard.chromium} and {@code -Dswitchboard.chromedriver}.
 */
final class Browser implements AutoCloseable {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Process driver;
  private final String base;
  private final Path profile;
  private String session;

  private Browser(Process driver, String base, Path profile) {
    this.driver = driver;
    this.base = base;
    this.profile = profile;
  }

  static Browser start() throws Exception {
    return start(new String[0]);
  }

  /** Starts Chromium with {@code extraArgs} added to its command line (e.g. a certificate to trust). */
  static Browser start(String... extraArgs) throws Exception {
    String chromium = System.getProperty("switchboard.chromium", "/usr/bin/chromium");
    String chromedriver = System.getProperty("switchboard.chromedriver", "/usr/bin/chromedriver");
    if (!Files.isExecutable(Path.of(chromium)) || !Files.isExecutable(Path.of(chromedriver))) {
      throw new IllegalStateException("headless browser tests need " + chromium + " and " + chromedriver
          + " (Debian: apt-get install -y chromium chromium-driver; .ci/run installs them)");
    }
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Process driver = new ProcessBuilder(chromedriver, "--port=" + port).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Browser browser = new Browser(driver, "http://127.0.0.1:" + port, Files.createTempDirectory("switchboard-chromium"));
    Http.await("chromedriver to answer", Duration.ofSeconds(20), () -> {
      try {
        return browser.call("GET", "/status", null).getJsonObject("value").getBoolean("ready", false);
      } catch (IOException e) {
        return false;
      }
    });
    JsonArray args = new JsonArray().add("--headless").add("--no-sandbox").add("--disable-gpu").add("--no-first-run")
        .add("--disable-background-networking").add("--disable-component-update").add("--disable-sync")
        .add("--disable-quic").add("--window-size=1200,900").add("--user-data-dir=" + browser.profile);
    for (String arg : extraArgs) {
      args.add(arg);
    }
    JsonObject capabilities = new JsonObject().put("capabilities", new JsonObject().put("alwaysMatch",
        new JsonObject().put("goog:chromeOptions", new JsonObject().put("binary", chromium).put("args", args))
            .put("timeouts", new JsonObject().put("script", 120_000))));
    browser.session = browser.call("POST", "/session", capabilities).getJsonObject("value").getString("sessionId");
    return browser;
  }

  void open(String url) throws Exception {
    call("POST", "/session/" + session + "/url", new JsonObject().put("url", url));
  }

  /** Runs {@code script} (a function body that returns a JSON-able value) in the page. */
  Object eval(String script) throws Exception {
    return call("POST", "/session/" + session + "/execute/sync",
        new JsonObject().put("script", script).put("args", new JsonArray())).getValue("value");
  }

  /** Runs an async script: it gets {@code args} and calls its last argument with the result. */
  Object evalAsync(String script, JsonArray args) throws Exception {
    return call("POST", "/session/" + session + "/execute/async",
        new JsonObject().put("script", script).put("args", args)).getValue("value");
  }

  /** Resizes the browser window (the screenshot shows its viewport). */
  void resize(int width, int height) throws Exception {
    call("POST", "/session/" + session + "/window/rect", new JsonObject().put("width", width).put("height", height));
  }

  void screenshot(Path file) throws Exception {
    String png = call("GET", "/session/" + session + "/screenshot", null).getString("value");
    Files.createDirectories(file.getParent());
    Files.write(file, Base64.getDecoder().decode(png));
  }

  private JsonObject call(String method, String path, JsonObject body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(150))
        .header("Content-Type", "application/json");
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("WebDriver " + method + " " + path + " → " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  @Override
  public void close() throws Exception {
    try {
      if (session != null) {
        call("DELETE", "/session/" + session, null);
      }
    } finally {
      driver.destroy();
      if (!driver.waitFor(10, TimeUnit.SECONDS)) {
        driver.destroyForcibly();
      }
    }
  }
}
