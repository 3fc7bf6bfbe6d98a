package dev.switchboard.it;

import dev.switchboard.backend.BackendMain;
import dev.switchboard.cluster.CommandLine;
import dev.switchboard.coordinator.CoordinatorMain;
import dev.switchboard.demo.DemoMain;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The jars of the container image, by the names the Dockerfile gives them (the one place in the tests
 * that names them), and a check that a container's command is a valid launcher command.
 */
final class Launchers {

  static final String COORDINATOR = "coordinator.jar";
  static final String BACKEND = "backend.jar";
  static final String WEB_DEMO = "web-demo.jar";
  static final List<String> JARS = List.of(COORDINATOR, BACKEND, WEB_DEMO);

  private Launchers() {
  }

  static CommandLine commandLine(String jar) {
    return switch (jar) {
      case COORDINATOR -> CoordinatorMain.commandLine();
      case BACKEND -> BackendMain.commandLine();
      case WEB_DEMO -> DemoMain.commandLine();
      default -> throw new AssertionError("the image ships no jar named " + jar + " (only " + JARS + ")");
    };
  }

  /**
   * Parses {@code args} with {@code env} as the launcher of {@code jar} does and builds its options, so
   * an unknown flag, a bad value or an incomplete setting (e.g. no cluster secret off loopback) fails.
   */
  static CommandLine.Values check(String jar, List<String> args, Map<String, String> env) {
    CommandLine.Values values = commandLine(jar).parse(args.toArray(String[]::new), env);
    assertNotNull(values, jar + " " + args + " asks for --help");
    switch (jar) {
      case COORDINATOR -> {
        CoordinatorMain.options(values);
        values.clusterOptions();
      }
      case BACKEND -> {
        BackendMain.options(values);
        values.clusterOptions();
      }
      default -> values.get("coordinator");
    }
    return values;
  }
}
