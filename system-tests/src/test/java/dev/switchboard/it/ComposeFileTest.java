package dev.switchboard.it;

import dev.switchboard.backend.BackendMain;
import dev.switchboard.cluster.CommandLine;
import dev.switchboard.coordinator.CoordinatorMain;
import dev.switchboard.demo.DemoMain;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker-compose.yml cannot run on a machine without a Docker engine, so check what can be checked:
 * every service runs a jar the Dockerfile ships, with options that jar's launcher accepts.
 */
class ComposeFileTest {

  private static final Map<String, CommandLine> LAUNCHERS = Map.of(
      "switchboard-coordinator.jar", CoordinatorMain.commandLine(),
      "switchboard-ws-backend.jar", BackendMain.commandLine(),
      "switchboard-web-demo.jar", DemoMain.commandLine());

  @Test
  void everyServiceRunsAShippedJarWithValidOptions() throws Exception {
    Path root = Path.of(System.getProperty("user.dir")).getParent();
    String compose = Files.readString(root.resolve("docker-compose.yml"));
    String dockerfile = Files.readString(root.resolve("Dockerfile"));
    Matcher m = Pattern.compile("command: \\[(.*)]").matcher(compose);
    int services = 0;
    while (m.find()) {
      List<String> words = new ArrayList<>();
      Matcher w = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
      while (w.find()) {
        words.add(w.group(1));
      }
      String jar = words.get(0);
      assertTrue(dockerfile.contains("-all.jar ./" + jar), "Dockerfile ships a runnable (-all) jar as " + jar);
      CommandLine cli = LAUNCHERS.get(jar);
      assertNotNull(cli, "known jar " + jar);
      assertNotNull(cli.parse(words.subList(1, words.size()).toArray(String[]::new), Map.of()), jar);
      services++;
    }
    assertEquals(3, services, "coordinator, backend and web-demo services");
    assertTrue(compose.contains("network_mode: host"), "backends advertise loopback URLs the host's browser can open");
  }
}
