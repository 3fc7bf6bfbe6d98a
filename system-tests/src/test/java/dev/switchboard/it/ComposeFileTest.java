package dev.switchboard.it;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.BackendVerticle;
import dev.switchboard.cluster.CommandLine;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docker-compose.yml cannot run on a machine without a Docker engine, so check what can be checked:
 * every service runs a jar the image ships with options its launcher accepts (environment included),
 * on a bridge network, healthchecked on real endpoints, secrets from the environment, one image built
 * once, a stop grace period above the drain, and a backend service that {@code --scale} can repeat.
 * {@code docker compose config} also checks it where a Docker client with the compose plugin exists.
 */
class ComposeFileTest {

  static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  /** What the user exports before {@code docker compose up}. */
  private static final Map<String, String> USER_ENV = Map.of(
      "SWITCHBOARD_CLUSTER_SECRET", "0123456789abcdef0123456789abcdef",
      "SWITCHBOARD_ADMIN_TOKEN", "compose-test-token");

  private static Map<String, Object> load(String file) throws IOException {
    return new Yaml().load(Files.readString(ROOT.resolve(file)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  /** Compose's interpolation of {@code ${VAR}}, {@code ${VAR:-default}} and {@code ${VAR:?error}}. */
  static String interpolate(String value, Map<String, String> env) {
    Matcher m = Pattern.compile("\\$\\{(\\w+)(?:(:-|:\\?)([^}]*))?}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String set = env.get(m.group(1));
      String replacement;
      if (set != null && !set.isEmpty()) {
        replacement = set;
      } else if (":-".equals(m.group(2))) {
        replacement = m.group(3);
      } else {
        throw new AssertionError("${" + m.group(1) + "} is required: " + m.group(3));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  private static Map<String, String> environment(Map<String, Object> service, Map<String, String> userEnv) {
    Map<String, String> env = new HashMap<>();
    map(service.get("environment")).forEach((k, v) -> env.put(k, interpolate(String.valueOf(v), userEnv)));
    return env;
  }

  private static List<String> command(Map<String, Object> service) {
    return list(service.get("command")).stream().map(String::valueOf).toList();
  }

  private static long seconds(Object duration) {
    Matcher m = Pattern.compile("(\\d+)s").matcher(String.valueOf(duration));
    assertTrue(m.matches(), "a duration in seconds: " + duration);
    return Long.parseLong(m.group(1));
  }

  @Test
  void everyServiceRunsAShippedJarWithValidOptionsAndEnvironment() throws Exception {
    Map<String, Object> services = map(load("docker-compose.yml").get("services"));
    assertEquals(List.of("coordinator", "backend", "web-demo"), List.copyOf(services.keySet()));
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    for (Map.Entry<String, Object> e : services.entrySet()) {
      Map<String, Object> service = map(e.getValue());
      List<String> command = command(service);
      String jar = command.get(0);
      assertTrue(dockerfile.contains("/jars/" + jar), "the Dockerfile ships " + jar);
      Launchers.check(jar, command.subList(1, command.size()), environment(service, USER_ENV));
    }
  }

  @Test
  void theServicesShareABridgeNetworkAndOneImageBuiltOnce() throws Exception {
    Map<String, Object> compose = load("docker-compose.yml");
    assertEquals("bridge", map(map(compose.get("networks")).get("switchboard")).get("driver"));
    int builds = 0;
    for (Object s : map(compose.get("services")).values()) {
      Map<String, Object> service = map(s);
      assertNull(service.get("network_mode"), "no host networking");
      assertEquals(List.of("switchboard"), service.get("networks"));
      assertEquals("switchboard:dev", service.get("image"));
      if (service.containsKey("build")) {
        builds++;
      } else {
        assertEquals("never", service.get("pull_policy"), "a service that does not build runs the built image");
      }
    }
    assertEquals(1, builds, "one service builds the image, the others reuse its tag");
  }

  @Test
  void secretsComeFromTheEnvironmentAndAreRequired() throws Exception {
    String text = Files.readString(ROOT.resolve("docker-compose.yml"));
    assertTrue(text.contains("SWITCHBOARD_CLUSTER_SECRET: ${SWITCHBOARD_CLUSTER_SECRET:?"), "cluster secret from the environment");
    assertTrue(text.contains("SWITCHBOARD_ADMIN_TOKEN: ${SWITCHBOARD_ADMIN_TOKEN:?"), "admin token from the environment");
    Map<String, Object> services = map(load("docker-compose.yml").get("services"));
    // without them, compose refuses to start (the interpolation fails), as the launchers would
    for (String name : List.of("coordinator", "backend")) {
      Map<String, Object> service = map(services.get(name));
      assertThrows(AssertionError.class, () -> environment(service, Map.of()));
      assertTrue(environment(service, USER_ENV).get("SWITCHBOARD_CLUSTER_SECRET").length() >= 16);
    }
    assertEquals("compose-test-token", environment(map(services.get("web-demo")), USER_ENV).get("SWITCHBOARD_ADMIN_TOKEN"));
  }

  @Test
  void healthchecksProbeTheReadinessEndpointOnEachServicesOwnPortAndDependentsWaitForIt() throws Exception {
    Map<String, Object> services = map(load("docker-compose.yml").get("services"));
    Map<String, Integer> ports = new HashMap<>();
    for (Map.Entry<String, Object> e : services.entrySet()) {
      Map<String, Object> service = map(e.getValue());
      List<String> command = command(service);
      CommandLine.Values values = Launchers.check(command.get(0), command.subList(1, command.size()),
          environment(service, USER_ENV));
      int port = switch (command.get(0)) {
        case Launchers.COORDINATOR -> values.getInt("port");
        case Launchers.BACKEND -> values.getInt("port-base");
        default -> values.getInt("page-port");
      };
      ports.put(e.getKey(), port);
      List<String> test = list(map(service.get("healthcheck")).get("test")).stream().map(String::valueOf).toList();
      assertEquals(List.of("CMD", "healthcheck"), test.subList(0, 2), e.getKey());
      assertEquals(String.valueOf(port), test.get(2), e.getKey() + " checks its own port");
      if (!e.getKey().equals("web-demo")) {
        assertEquals(BackendVerticle.HEALTH_READY, test.get(3), e.getKey() + " checks readiness");
      }
    }
    assertEquals(List.of("8080:" + ports.get("coordinator")), map(services.get("coordinator")).get("ports"));
    assertEquals(List.of("8081:" + ports.get("web-demo")), map(services.get("web-demo")).get("ports"));
    for (String dependent : List.of("backend", "web-demo")) {
      assertEquals("service_healthy", map(map(map(services.get(dependent)).get("depends_on")).get("coordinator")).get("condition"));
    }
  }

  @Test
  void backendsGetAStopGracePeriodAboveTheirDrainAndEveryNodeAFileLimit() throws Exception {
    Map<String, Object> services = map(load("docker-compose.yml").get("services"));
    Map<String, Object> backend = map(services.get("backend"));
    String drain = environment(backend, USER_ENV).getOrDefault("SWITCHBOARD_DRAIN_MS", String.valueOf(BackendOptions.DEFAULT_DRAIN_MS));
    assertTrue(seconds(backend.get("stop_grace_period")) * 1000 > Long.parseLong(drain) + 5_000,
        "stop_grace_period " + backend.get("stop_grace_period") + " leaves time after the drain (" + drain + " ms)");
    for (String name : List.of("coordinator", "backend")) {
      Map<String, Object> nofile = map(map(map(services.get(name)).get("ulimits")).get("nofile"));
      assertTrue(((Number) nofile.get("soft")).intValue() >= 65536, name + " nofile " + nofile);
    }
  }

  @Test
  void theBackendServiceScalesOnLinuxAndTheDesktopOverridePublishesItsPorts() throws Exception {
    Map<String, Object> backend = map(map(load("docker-compose.yml").get("services")).get("backend"));
    // replicas may not share a name or a published port
    assertNull(backend.get("container_name"));
    assertNull(backend.get("ports"));
    Map<String, String> env = environment(backend, USER_ENV);
    assertEquals(CommandLine.AUTO_HOST, env.get("SWITCHBOARD_PUBLIC_HOST"), "each replica advertises its own address");
    assertEquals(CommandLine.AUTO_HOST, env.get("SWITCHBOARD_CLUSTER_HOST"));
    List<String> command = command(backend);
    CommandLine.Values values = Launchers.check(command.get(0), command.subList(1, command.size()), env);
    int first = values.getInt("port-base");
    int instances = values.getInt("instances");

    Map<String, Object> desktop = map(map(load("docker-compose.desktop.yml").get("services")).get("backend"));
    assertEquals("localhost", map(desktop.get("environment")).get("SWITCHBOARD_PUBLIC_HOST"));
    Matcher range = Pattern.compile("(\\d+)-(\\d+):(\\d+)-(\\d+)").matcher(String.valueOf(list(desktop.get("ports")).get(0)));
    assertTrue(range.matches(), "a published port range, host = container");
    assertEquals(range.group(1), range.group(3));
    assertEquals(range.group(2), range.group(4));
    assertEquals(first, Integer.parseInt(range.group(1)));
    assertTrue(Integer.parseInt(range.group(2)) >= first + instances - 1, "every backend port is published");
  }

  @Test
  void theImageHealthcheckPassesOnA200AndFailsOtherwise() throws Exception {
    Path script = ROOT.resolve("deploy/docker/healthcheck");
    assertTrue(Files.isExecutable(script));
    assertTrue(Files.readString(ROOT.resolve("Dockerfile")).contains("COPY deploy/docker/healthcheck /usr/local/bin/healthcheck"));
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      int status = exchange.getRequestURI().getPath().equals(BackendVerticle.HEALTH_READY) ? 200 : 503;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
    try {
      String port = String.valueOf(server.getAddress().getPort());
      assertEquals(0, run(script.toString(), port));
      assertEquals(1, run(script.toString(), port, "/health/other"));
      server.stop(0);
      assertFalse(run(script.toString(), port) == 0, "nothing listening");
    } finally {
      server.stop(0);
    }
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    return p.exitValue();
  }

  @Test
  void dockerComposeConfigAcceptsBothFilesWhereADockerClientIsPresent() throws Exception {
    assumeTrue(succeeds(List.of("docker", "compose", "version")), "no docker compose client here");
    for (List<String> files : List.of(List.of("-f", "docker-compose.yml"),
        List.of("-f", "docker-compose.yml", "-f", "docker-compose.desktop.yml"))) {
      List<String> command = new ArrayList<>(List.of("docker", "compose"));
      command.addAll(files);
      command.addAll(List.of("config", "--quiet"));
      ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
      pb.environment().putAll(USER_ENV);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }
  }

  static boolean succeeds(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
