package dev.switchboard.bench;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.BackendVerticle;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.ClusterOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The cluster a benchmark runs against: a coordinator JVM, and this JVM as a lite member with one
 * backend deployed (its heartbeat keeps this node's records visible).
 */
final class BenchCluster implements AutoCloseable {

  static final String ADMIN_TOKEN = "bench";

  private final String coordinatorJar;
  private final String backendJar;
  private final Path logs;
  private final List<String> coordinatorArgs;
  private final String name = "bench-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  private final int hzPort = 6401;
  private Proc coordinator;
  private int coordinatorPort;
  private ClusterNode node;

  /** @param coordinatorArgs extra options for the coordinator JVM (e.g. detection settings to compare) */
  BenchCluster(String coordinatorJar, String backendJar, Path logs, List<String> coordinatorArgs) {
    this.coordinatorJar = coordinatorJar;
    this.backendJar = backendJar;
    this.logs = logs;
    this.coordinatorArgs = List.copyOf(coordinatorArgs);
  }

  String[] clusterArgs(String... extra) {
    List<String> args = new ArrayList<>(List.of("--cluster-name", name, "--cluster-port", String.valueOf(hzPort),
        "--cluster-members", "127.0.0.1:" + hzPort + "-" + (hzPort + 9)));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  void start() throws Exception {
    System.out.println("starting coordinator JVM…");
    coordinator = coordinatorJvm("bench-coordinator");
    coordinatorPort = port(coordinator);
    node = ClusterNode.start(new ClusterOptions().setClusterName(name).setPort(hzPort)
        .setMembers("127.0.0.1:" + hzPort + "-" + (hzPort + 9)).setLiteMember(true)).await(2, TimeUnit.MINUTES);
    node.vertx().deployVerticle(new BackendVerticle(new BackendOptions().setPortBase(0).setHost("127.0.0.1"),
        node.nodeId(), 0)).await(1, TimeUnit.MINUTES);
    System.out.printf("coordinator on port %d, bench node %s joined%n", coordinatorPort, node.nodeId());
  }

  /** Another coordinator JVM of this cluster (on a free port: {@link #port}), with the bench's coordinator options. */
  Proc coordinatorJvm(String label) throws Exception {
    List<String> args = new ArrayList<>(List.of("--port", "0", "--host", "127.0.0.1", "--admin-token", ADMIN_TOKEN));
    args.addAll(coordinatorArgs);
    return Proc.java(coordinatorJar, "3g", logs, label, clusterArgs(args.toArray(String[]::new)));
  }

  /** The HTTP port of a coordinator JVM, once it says it is ready. */
  static int port(Proc coordinator) throws InterruptedException {
    return Integer.parseInt(coordinator.await("coordinator ready: http://[^:]+:(\\d+)", Duration.ofSeconds(120)).group(1));
  }

  Proc coordinator() {
    return coordinator;
  }

  int coordinatorPort() {
    return coordinatorPort;
  }

  String nodeId() {
    return node.nodeId();
  }

  Map<String, Object> registry() {
    return node.hazelcast().getMap(ClusterNames.BACKENDS_MAP);
  }

  /** A backend-node JVM with one backend; returns it once started (its id via {@link Proc#await}). */
  Proc backendNode(String label) throws Exception {
    return backendNode(label, "256m", "--instances", "1");
  }

  /** A backend-node JVM on free ports with the given options. */
  Proc backendNode(String label, String heap, String... options) throws Exception {
    List<String> args = new ArrayList<>(List.of("--port-base", "0", "--host", "127.0.0.1"));
    args.addAll(List.of(options));
    return Proc.java(backendJar, heap, logs, label, clusterArgs(args.toArray(String[]::new)));
  }

  /** A backend-node JVM of {@code instances} backends on {@code service}, returned once it says it is ready. */
  Proc serviceNode(String label, String heap, String service, int instances, List<String> extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("--instances", String.valueOf(instances), "--service", service));
    args.addAll(extra);
    Proc node = backendNode(label, heap, args.toArray(String[]::new));
    try {
      node.await("backend node ready: " + instances + " backends", Duration.ofSeconds(120));
      return node;
    } catch (RuntimeException | InterruptedException e) {
      node.close();
      throw e;
    }
  }

  /** Starts {@code java -cp <backend or bench jar> mainClass args}. */
  Proc javaMain(String jar, String label, String mainClass, String... args) throws Exception {
    return javaMainSized(jar, "512m", label, mainClass, args);
  }

  /** Starts {@code java -Xmx<heap> -cp <jar> mainClass args}. */
  Proc javaMainSized(String jar, String heap, String label, String mainClass, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx" + heap, "-Djava.net.preferIPv4Stack=true", "-cp", jar, mainClass));
    command.addAll(List.of(args));
    java.nio.file.Files.createDirectories(logs);
    return new Proc(command, logs.resolve(label + ".log"));
  }

  String coordinatorUrl() {
    return "http://127.0.0.1:" + coordinatorPort;
  }

  @Override
  public void close() throws Exception {
    if (node != null) {
      node.close().await(30, TimeUnit.SECONDS);
    }
    if (coordinator != null) {
      coordinator.close();
    }
  }
}
