package dev.switchboard.bench;

import dev.switchboard.cluster.CommandLine;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code switchboard bench}: runs the benchmark scenarios and writes their figures into BENCHMARKS.md. */
public final class BenchMain {

  /** Event loops of the bench JVM's Vert.x, which the client fleets share. */
  static final int EVENT_LOOPS = 4;

  private BenchMain() {
  }

  private static String echo(BenchCluster cluster, Vertx vertx, CommandLine.Values values) throws Exception {
    int connections = values.getInt("echo-connections");
    long measureMs = values.getInt("echo-seconds") * 1000L;
    EchoBench bench = new EchoBench(vertx, connections, 3_000, measureMs);
    String benchJar = BenchMain.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    EchoBench.Result floor;
    try (Proc bare = cluster.javaMain(benchJar, "bench-bare-echo", BareEchoServer.class.getName())) {
      String url = bare.await("bare echo ready: (ws://\\S+)", Duration.ofSeconds(60)).group(1);
      System.out.println("echo: bare Vert.x server…");
      floor = bench.run(url, false);
    }
    EchoBench.Result switchboard;
    try (Proc backend = cluster.backendNode("bench-echo", "512m", "--instances", "1", "--rate", "1000000",
        "--burst", "1000000")) {
      String url = backend.await("switchboard backend \\S+: (ws://\\S+)", Duration.ofSeconds(120)).group(1);
      System.out.println("echo: Switchboard backend…");
      switchboard = bench.run(url, true);
    }
    System.out.printf("echo: bare p99 %.3f ms %,.0f/s; switchboard p99 %.3f ms %,.0f/s%n", floor.rtt().p99(),
        floor.perSecond(), switchboard.rtt().p99(), switchboard.perSecond());
    return "Closed loop: " + connections + " WebSocket connections, each sends an echo and waits for it; 3 s warm-up, "
        + measureMs / 1000 + " s measured per target. Floor: a bare Vert.x server echoing text frames (its own JVM). "
        + "Switchboard: a backend JVM answering PROTOCOL `echo` (JSON decode, validation, encode, limits on; its "
        + "per-connection rate limit raised out of the way for this load).\n\n"
        + "| target | p50 ms | p99 ms | messages/s | p99 / floor | throughput / floor |\n|---|---|---|---|---|---|\n"
        + EchoBench.row("bare Vert.x echo (floor)", floor, floor) + EchoBench.row("Switchboard backend", switchboard, floor);
  }

  public static void main(String[] args) throws Exception {
    CommandLine cli = new CommandLine("bench", "Measures propagation to many SSE subscribers and failure detection.")
        .option("scenario", null, "all", "all, propagation, detection, echo, rooms, rebalance or failover")
        .option("subscribers", null, "1000,10000,18000,50000", "subscriber counts for propagation")
        .option("changes", null, 20, "changes measured per subscriber count")
        .option("runs", null, 10, "runs per detection event")
        .option("time-limit-s", null, 1200, "stop starting new measurements after this many seconds")
        .option("coordinator-jar", null, "coordinator/target/switchboard-coordinator.jar", "coordinator jar")
        .option("backend-jar", null, "ws-backend/target/switchboard-ws-backend.jar", "backend jar")
        .option("echo-connections", null, 50, "closed-loop connections for echo")
        .option("echo-seconds", null, 10, "measured seconds per echo target")
        .option("room-members", null, 100, "room members per backend for the room fan-out")
        .option("room-messages", null, 100, "messages published for the room fan-out")
        .option("rebalance-clients", null, 6000, "clients for the rebalance scenario")
        .option("failover-clients", null, 300, "Java clients for the failover scenario")
        .option("out", null, "BENCHMARKS.md", "report file")
        .option("command", null, null, "the command line recorded in the report (default: this one)");
    CommandLine.Values values;
    try {
      values = cli.parse(args, System.getenv());
    } catch (CommandLine.UsageException e) {
      System.err.println("error: " + e.getMessage() + "\n\n" + cli.help());
      System.exit(2);
      return;
    }
    if (values == null) {
      System.out.print(cli.help());
      return;
    }
    String scenario = values.get("scenario");
    String command = values.get("command") != null ? values.get("command")
        : ("./switchboard bench " + String.join(" ", args)).strip();
    Path out = Path.of(values.get("out"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(values.getInt("time-limit-s"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS));
    try (BenchCluster cluster = new BenchCluster(values.get("coordinator-jar"), values.get("backend-jar"), Path.of("target", "bench-logs"))) {
      cluster.start();
      if (scenario.equals("all") || scenario.equals("propagation")) {
        List<Integer> sizes = Arrays.stream(values.get("subscribers").split(",")).map(String::trim).map(Integer::parseInt).toList();
        String body = new PropagationBench(cluster, vertx, values.getInt("changes"), deadline).run(sizes);
        BenchReport.write(out, "propagation", command, body);
        System.out.println("propagation figures written to " + out);
      }
      if (scenario.equals("all") || scenario.equals("detection")) {
        String body = new DetectionBench(cluster, vertx, values.getInt("runs")).run();
        BenchReport.write(out, "detection", command, body);
        System.out.println("detection figures written to " + out);
      }
      if (scenario.equals("all") || scenario.equals("echo")) {
        BenchReport.write(out, "echo", command, echo(cluster, vertx, values));
        System.out.println("echo figures written to " + out);
      }
      if (scenario.equals("all") || scenario.equals("rooms")) {
        try (Proc a = cluster.backendNode("bench-rooms-a", "512m", "--instances", "1");
             Proc b = cluster.backendNode("bench-rooms-b", "512m", "--instances", "1")) {
          String urlA = a.await("switchboard backend \\S+: (ws://\\S+)", Duration.ofSeconds(120)).group(1);
          String urlB = b.await("switchboard backend \\S+: (ws://\\S+)", Duration.ofSeconds(120)).group(1);
          String body = new RoomFanoutBench(vertx).run(urlA, urlB, values.getInt("room-members"), values.getInt("room-messages"));
          BenchReport.write(out, "rooms", command, body);
          System.out.println("room figures written to " + out);
        }
      }
      if (scenario.equals("all") || scenario.equals("rebalance")) {
        try (Proc node = cluster.backendNode("bench-rebalance", "1g", "--instances", "3")) {
          String body = new RebalanceBench(vertx, cluster.coordinatorUrl(), BenchCluster.ADMIN_TOKEN)
              .run(node, values.getInt("rebalance-clients"));
          BenchReport.write(out, "rebalance", command, body);
          System.out.println("rebalance figures written to " + out);
        }
      }
      if (scenario.equals("all") || scenario.equals("failover")) {
        String body = new FailoverBench(cluster, vertx, values.getInt("failover-clients")).run();
        BenchReport.write(out, "failover", command, body);
        System.out.println("failover figures written to " + out);
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    System.exit(0);
  }
}
