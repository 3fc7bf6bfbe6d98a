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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Backend nodes of the embedded demo that run as JVMs of their own, so that the page can kill one
 * (kill -9) and a person can watch the clients fail over. At most {@link #MAX_NODES}, counting the
 * ones still starting: a slot is taken before a JVM is launched, so parallel requests cannot start
 * more. All are killed when the demo stops. Blocking: call off the event loop.
 */
final class DemoNodes {

  static final int MAX_NODES = 4;
  private static final Pattern READY = Pattern.compile("switchboard backend node ready: \\d+ backends \\(node (\\S+)\\)");

  /** A started node: its process and its cluster node id. */
  record Node(Process process, String nodeId) {
  }

  /** Launches one node and returns it once it is ready (blocking); throws when it does not start. */
  @FunctionalInterface
  interface Spawner {
    Node spawn() throws Exception;
  }

  /** Refused: {@link #MAX_NODES} nodes run or are starting. */
  static final class CapReachedException extends IllegalStateException {
    CapReachedException() {
      super("the demo runs at most " + MAX_NODES + " extra nodes");
    }
  }

  private final Spawner spawner;
  private final Semaphore slots = new Semaphore(MAX_NODES);
  private final Map<Long, Node> nodes = new ConcurrentHashMap<>();

  DemoNodes(ClusterOptions cluster) {
    this(() -> spawnJvm(cluster));
  }

  DemoNodes(Spawner spawner) {
    this.spawner = spawner;
  }

  /**
   * Starts a backend-node JVM with one backend; returns {@code {"pid","node"}} once it registered.
   *
   * @throws CapReachedException when {@link #MAX_NODES} run or are starting
   */
  JsonObject start() throws Exception {
    if (!slots.tryAcquire()) {
      throw new CapReachedException();
    }
    Node node;
    try {
      node = spawner.spawn();
    } catch (Exception | Error e) {
      slots.release();
      throw e;
    }
    nodes.put(node.process().pid(), node);
    return new JsonObject().put("pid", node.process().pid()).put("node", node.nodeId());
  }

  /** kill -9 of a node this demo started; false when there is no such node. */
  boolean kill(long pid) throws InterruptedException {
    Node node = nodes.remove(pid);
    if (node == null) {
      return false;
    }
    slots.release();
    node.process().destroyForcibly();
    node.process().waitFor(10, TimeUnit.SECONDS);
    return true;
  }

  /** {@code [{"pid","node"}]} of the live nodes; the slots of nodes that exited are freed. */
  JsonArray list() {
    nodes.forEach((pid, n) -> {
      if (!n.process().isAlive() && nodes.remove(pid, n)) {
        slots.release();
      }
    });
    JsonArray all = new JsonArray();
    nodes.forEach((pid, n) -> all.add(new JsonObject().put("pid", pid).put("node", n.nodeId())));
    return all;
  }

  void killAll() {
    nodes.forEach((pid, n) -> {
      if (nodes.remove(pid, n)) {
        slots.release();
        n.process().destroyForcibly();
      }
    });
  }

  /** Launches {@code BackendMain} from this jar with one backend, and waits up to 90 s for its ready line. */
  private static Node spawnJvm(ClusterOptions cluster) throws IOException {
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
      return new Node(process, ready.get(90, TimeUnit.SECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("the backend node did not start: " + e.getMessage(), e);
    }
  }
}
