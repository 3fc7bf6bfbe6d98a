package dev.switchboard.demo;

import dev.switchboard.backend.BackendNode;
import dev.switchboard.backend.BackendOptions;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.ClusterOptions;
import dev.switchboard.cluster.CommandLine;
import dev.switchboard.cluster.Launcher;
import dev.switchboard.coordinator.CoordinatorOptions;
import dev.switchboard.coordinator.CoordinatorVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code switchboard demo}: a whole local cluster in one JVM — a coordinator node, a backend node with
 * K backends (two real Hazelcast members on loopback) — and the demo page.
 */
public final class DemoMain {

  private DemoMain() {
  }

  public static CommandLine commandLine() {
    return new CommandLine("demo", "Runs a local cluster (one coordinator, one backend node) and the demo page.")
        .option("port", "SWITCHBOARD_PORT", CoordinatorOptions.DEFAULT_PORT, "coordinator HTTP port")
        .option("page-port", "SWITCHBOARD_PAGE_PORT", 8081, "demo page HTTP port")
        .option("instances", "SWITCHBOARD_INSTANCES", BackendOptions.DEFAULT_INSTANCES, "backend verticles")
        .option("port-base", "SWITCHBOARD_PORT_BASE", BackendOptions.DEFAULT_PORT_BASE,
            "backend i listens on port-base + i; 0 picks free ports")
        .option("coordinator", "SWITCHBOARD_COORDINATOR", null,
            "serve only the page, for this existing coordinator URL (no embedded cluster)")
        .option("page-host", "SWITCHBOARD_PAGE_HOST", "127.0.0.1", "demo page bind address")
        .option("admin-token", "SWITCHBOARD_ADMIN_TOKEN", null,
            "with --coordinator: the coordinator's admin token, so the page's drain and scale buttons work"
                + " (without it the page is read-only); the embedded demo makes its own")
        .clusterOptions();
  }

  public static void main(String[] args) {
    Launcher.run(commandLine(), args, values -> {
      if (values.get("coordinator") != null) {
        servePageOnly(values);
        return;
      }
      ClusterOptions cluster = values.clusterOptions();
      if (cluster.getSecret() == null) {
        // members of the embedded cluster (and the node JVMs the page starts) sign with a secret of their own
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        cluster.setSecret(HexFormat.of().formatHex(secret));
      }
      ClusterNode coordinatorNode = ClusterNode.start(cluster).await(2, TimeUnit.MINUTES);
      ClusterNode backendNode = ClusterNode.start(new ClusterOptions(cluster).setLiteMember(true)).await(2, TimeUnit.MINUTES);
      BackendNode backends = new BackendNode(backendNode, new BackendOptions()
          .setInstances(values.getInt("instances"))
          .setPortBase(values.getInt("port-base"))
          .setHost("127.0.0.1"));
      DemoNodes nodes = new DemoNodes(cluster);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        nodes.killAll();
        stop(coordinatorNode, backendNode, backends);
      }, "switchboard-shutdown"));

      // the demo binds to 127.0.0.1 only; its page gets this token so a person can scale and drain
      String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
      CoordinatorVerticle coordinator = new CoordinatorVerticle(new CoordinatorOptions().setHost("127.0.0.1")
          .setPort(values.getInt("port")).setAdminToken(token), coordinatorNode);
      coordinatorNode.vertx().deployVerticle(coordinator).await(1, TimeUnit.MINUTES);
      backends.start().await(1, TimeUnit.MINUTES);
      String coordinatorUrl = "http://127.0.0.1:" + coordinator.actualPort();
      DemoPageVerticle page = new DemoPageVerticle(values.get("page-host"), values.getInt("page-port"),
          List.of(coordinatorUrl), new JsonObject().put("token", token).put("node", backendNode.nodeId()), nodes);
      coordinatorNode.vertx().deployVerticle(page).await(1, TimeUnit.MINUTES);

      System.out.printf("%nswitchboard demo is running: coordinator %s, %d backends%n", coordinatorUrl,
          values.getInt("instances"));
      System.out.printf("open http://localhost:%d/ (Ctrl-C stops everything)%n", page.actualPort());
    });
  }

  private static void servePageOnly(CommandLine.Values values) throws Exception {
    Vertx vertx = Vertx.vertx();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close(), "switchboard-shutdown"));
    List<String> coordinators = List.of(values.get("coordinator").split(","));
    String token = values.get("admin-token");
    DemoPageVerticle page = new DemoPageVerticle(values.get("page-host"), values.getInt("page-port"), coordinators,
        token == null || token.isBlank() ? null : new JsonObject().put("token", token));
    vertx.deployVerticle(page).await(1, TimeUnit.MINUTES);
    System.out.printf("switchboard demo page for %s%nopen http://localhost:%d/%n", coordinators, page.actualPort());
  }

  private static void stop(ClusterNode coordinatorNode, ClusterNode backendNode, BackendNode backends) {
    try {
      backends.stop()
          .eventually(backendNode::close)
          .eventually(coordinatorNode::close)
          .await(30, TimeUnit.SECONDS);
      System.out.println("switchboard demo stopped");
    } catch (Exception e) {
      System.err.println("shutdown did not complete: " + e);
    }
  }
}
