package dev.switchboard.demo;

import dev.switchboard.backend.BackendMain;
import dev.switchboard.cluster.ClusterOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Backend nodes of the embedded demo that run as JVMs of their own, so that the page can kill one
 * (kill -9) and a person can watch the clients fail over. At most {@link #MAX_NODES}; all are killed
 * when the demo stops. Blocking: call off the event loop.
 */
final class DemoNodes {

  static final int MAX_NODES = 4;
  private static final Pattern READY = Pattern.compile("switchboard backend node ready: \\d+ backends \\(node (\\S+)\\)");

  private record Node(Process process, String nodeId) {
  }

  private final ClusterOptions cluster;
  private final Map<Long, Node> nodes = new ConcurrentHashMap<>();

  DemoNodes(ClusterOptions cluster) {
    this.cluster = cluster;
  }

  /** Starts a backend-node JVM with one backend; returns {@code {"pid","node"}} once it registered. */
  JsonObject start() throws IOException, InterruptedException {
    if (nodes.size() >= MAX_NODES) {
      throw new IllegalStateException("the demo runs at most " + MAX_NODES + " extra nodes");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    String jar = Path.of(DemoNodes.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-Djava.net.preferIPv4Stack=true", "-cp", jar,
        BackendMain.class.getName(), "--instances", "1", "--port-base", "0", "--host", "127.0.0.1",
        "--cluster-name", cluster.getClusterName(), "--cluster-port", String.valueOf(cluster.getPort()),
        "--cluster-members", cluster.getMembers()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (cluster.getSecret() != null) {
      // through the environment, not a flag: a flag would show the secret in ps
      builder.environment().put("SWITCHBOARD_CLUSTER_SECRET", cluster.getSecret());
    }
    Process process = builder.start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) { // read to the end so the child never blocks on a full pipe
          Matcher m = READY.matcher(line);
          if (m.find()) {
            ready.complete(m.group(1));
          }
        }
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
      ready.completeExceptionally(new IllegalStateException("the backend node exited before it was ready"));
    }, "demo-node-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    try {
      String nodeId = ready.get(90, TimeUnit.SECONDS);
      nodes.put(process.pid(), new Node(process, nodeId));
      return new JsonObject().put("pid", process.pid()).put("node", nodeId);
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("the backend node did not start: " + e.getMessage(), e);
    }
  }

  /** kill -9 of a node this demo started; false when there is no such node. */
  boolean kill(long pid) throws InterruptedException {
    Node node = nodes.remove(pid);
    if (node == null) {
      return false;
    }
    node.process().destroyForcibly();
    node.process().waitFor(10, TimeUnit.SECONDS);
    return true;
  }

  /** {@code [{"pid","node"}]} of the live nodes. */
  JsonArray list() {
    nodes.values().removeIf(n -> !n.process().isAlive());
    JsonArray all = new JsonArray();
    nodes.forEach((pid, n) -> all.add(new JsonObject().put("pid", pid).put("node", n.nodeId())));
    return all;
  }

  void killAll() {
    nodes.values().forEach(n -> n.process().destroyForcibly());
    nodes.clear();
  }
}
