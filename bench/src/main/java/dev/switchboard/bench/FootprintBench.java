package dev.switchboard.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;

/**
 * Footprint of the Java client: one JVM ({@link FootprintClients}) holds {@code clients} clients, pool 1,
 * heartbeats on, against backends spread over several backend-node JVMs (each process may hold 20,000
 * open files). The clients share one list stream ({@code BackendList}) unless told otherwise. Reports heap per
 * client and CPU per heartbeat of the client JVM.
 */
final class FootprintBench {

  /** Settings of one run. */
  record Settings(int clients, int backendNodes, int backendsPerNode, long intervalMs, int measureSeconds,
      int startsPerSecond, String heap, boolean sharedList) {
  }

  private static final String SERVICE = "footprint";

  private final BenchCluster cluster;
  private final Settings settings;

  FootprintBench(BenchCluster cluster, Settings settings) {
    this.cluster = cluster;
    this.settings = settings;
  }

  String run() throws Exception {
    int backends = settings.backendNodes() * settings.backendsPerNode();
    int perBackend = (settings.clients() + backends - 1) / backends;
    List<Proc> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < settings.backendNodes(); i++) {
        nodes.add(cluster.serviceNode("bench-footprint-node-" + i, "1g", SERVICE, settings.backendsPerNode(),
            List.of("--capacity", String.valueOf(Math.max(1000, 2 * perBackend)), "--rebalance", "false")));
      }
      System.out.printf("footprint: %d clients in one JVM over %d backends in %d node JVMs…%n", settings.clients(), backends,
          settings.backendNodes());
      String benchJar = Path.of(FootprintBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
      // every client holds its WebSocket, and its own list stream unless the list is shared: raise the open-file limit
      long files = (settings.sharedList() ? 1L : 2L) * settings.clients() + 1000;
      List<String> command = new ArrayList<>();
      if (files > 20_000 && Files.isExecutable(Path.of("/usr/bin/prlimit"))) {
        command.addAll(List.of("/usr/bin/prlimit", "--nofile=" + files + ":" + files, "--"));
      }
      command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx" + settings.heap(),
          "-Djava.net.preferIPv4Stack=true", "-cp", benchJar, FootprintClients.class.getName(),
          cluster.coordinatorUrl(), SERVICE, String.valueOf(settings.clients()), String.valueOf(settings.intervalMs()),
          String.valueOf(settings.measureSeconds()), String.valueOf(settings.startsPerSecond()),
          settings.sharedList() ? "shared" : "own"));
      Path logs = Path.of("target", "bench-logs");
      Files.createDirectories(logs);
      try (Proc clients = new Proc(command, logs.resolve("bench-footprint-clients.log"))) {
        Duration limit = Duration.ofSeconds(300 + settings.clients() / Math.max(1, settings.startsPerSecond()) + settings.measureSeconds());
        Matcher m = clients.await("footprint: clients=(\\d+) open=(\\d+) heapBefore=(\\d+) heapWith=(\\d+) heapPerClient=(-?\\d+) "
            + "cpuMs=(\\d+) heartbeats=(\\d+) cpuPerHeartbeatUs=([\\d.]+)", limit);
        System.out.println(m.group());
        return report(m);
      }
    } finally {
      for (Proc node : nodes) {
        node.close();
      }
    }
  }

  private String report(Matcher m) {
    return "One client JVM (`-Xmx" + settings.heap() + "`, 2 event loops) holds " + m.group(1) + " `SwitchboardClient`s, "
        + "pool 1, heartbeat every " + settings.intervalMs() + " ms (each pong counted), started at "
        + settings.startsPerSecond() + "/s, against " + settings.backendNodes() * settings.backendsPerNode()
        + " backends in " + settings.backendNodes() + " backend-node JVMs. " + (settings.sharedList()
            ? "The clients share one list stream (one `BackendList`, one SSE stream to the coordinator), so the JVM "
              + "holds one socket per client, its WebSocket; the per-client figures thus leave out a list stream "
              + "per client, which earlier runs (`--footprint-list own`) counted. "
            : "Each client has its own list stream (SSE to the coordinator) besides its WebSocket, so the JVM holds "
              + "two sockets per client. ") + "Heap: used after "
        + "GC with the clients open, minus before any; CPU: the client JVM's process CPU time over "
        + settings.measureSeconds() + " s divided by the heartbeats answered in that window (everything the JVM "
        + "did in it counts, list-stream pings included).\n\n"
        + "| clients | open | heap before MiB | heap with clients MiB | heap per client KiB | CPU ms in window | heartbeats | CPU per heartbeat µs |\n"
        + "|---|---|---|---|---|---|---|---|\n"
        + String.format("| %s | %s | %.1f | %.1f | %.1f | %s | %s | %s |%n", m.group(1), m.group(2),
            Long.parseLong(m.group(3)) / 1048576.0, Long.parseLong(m.group(4)) / 1048576.0,
            Long.parseLong(m.group(5)) / 1024.0, m.group(6), m.group(7), m.group(8));
  }
}
