package dev.switchboard.it;

import dev.switchboard.cluster.ClusterOptions;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A cluster name and Hazelcast port range of its own, so a test never joins a developer's running
 * demo, and the launchers for its coordinator and backend-node JVMs.
 */
record TestCluster(String name, int port) {

  static final Duration START = Duration.ofSeconds(90);

  /** A coordinator JVM and the base URL of its HTTP API. */
  record Coordinator(JvmProcess process, String base) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      process.close();
    }
  }

  /** A backend-node JVM and the ids of its backends, in index order. */
  record BackendNode(JvmProcess process, List<String> ids) implements AutoCloseable {
    @Override
    public void close() throws InterruptedException {
      process.close();
    }
  }

  static TestCluster unique() {
    int port = 5801 + ThreadLocalRandom.current().nextInt(0, 40) * 10;
    return new TestCluster("it-" + Long.toHexString(ThreadLocalRandom.current().nextLong()), port);
  }

  String members() {
    return "127.0.0.1:" + port + "-" + (port + 9);
  }

  /** The cluster flags every node of this test takes, followed by {@code extra}. */
  String[] args(String... extra) {
    String[] base = {"--cluster-name", name, "--cluster-port", String.valueOf(port), "--cluster-members", members()};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  ClusterOptions liteMemberOptions() {
    return new ClusterOptions().setClusterName(name).setPort(port).setMembers(members()).setLiteMember(true);
  }

  /** Starts a coordinator on a free HTTP port and waits until it serves. */
  Coordinator coordinator(String label, String... extra) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("--port", "0", "--host", "127.0.0.1"));
    args.addAll(List.of(extra));
    JvmProcess process = JvmProcess.start(label, "switchboard.coordinator.jar", args(args.toArray(String[]::new)));
    java.util.regex.Matcher ready = process.awaitLine("coordinator ready: (https?)://[^:]+:(\\d+)", START);
    return new Coordinator(process, ready.group(1) + "://127.0.0.1:" + ready.group(2));
  }

  /** Starts a backend node with {@code instances} backends on free ports (and {@code extra} flags); waits until all are registered. */
  BackendNode backendNode(String label, int instances, String... extra) throws IOException, InterruptedException {
    List<String> flags = new ArrayList<>(List.of("--instances", String.valueOf(instances), "--port-base", "0", "--host", "127.0.0.1"));
    flags.addAll(List.of(extra));
    JvmProcess process = JvmProcess.start(label, "switchboard.backend.jar", args(flags.toArray(String[]::new)));
    process.awaitLine("backend node ready: " + instances + " backends", START);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      ids.add(process.awaitLine("switchboard backend (\\S+-" + i + "): wss?://", START).group(1));
    }
    return new BackendNode(process, ids);
  }
}
