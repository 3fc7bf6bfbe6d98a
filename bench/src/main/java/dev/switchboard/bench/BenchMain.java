package dev.switchboard.bench;

import dev.switchboard.client.SwitchboardClientOptions;
import dev.switchboard.client.policy.Policy;
import dev.switchboard.cluster.CommandLine;
import dev.switchboard.cluster.CommonPool;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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

  /** Every scenario, in the order {@code all} runs them; soak only when named, it is long. */
  private static final List<String> SCENARIOS = List.of("simulate", "propagation", "propagation-wide", "detection", "echo",
      "rooms", "room-speed", "balance", "failover", "rebalance", "soak", "footprint");
  private static final Set<String> ALL = Set.of("simulate", "propagation", "detection", "echo", "rooms", "room-speed", "balance",
      "failover");
  private static final List<String> BALANCE_CASES = List.of("burst", "scale-out", "kill", "restart");

  private static List<String> list(String csv) {
    return csv == null || csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }

  private static List<String> words(String text) {
    return text == null || text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
  }

  public static void main(String[] args) throws Exception {
    CommonPool.ensureParallelism();
    CommandLine cli = new CommandLine("bench", "Measures propagation to many SSE subscribers, failure detection, "
        + "balance and failover of Java clients, against real coordinator and backend JVMs.")
        .option("scenario", null, "all", "comma-separated: all (every scenario but soak), propagation (with nginx + nchan beside it, "
            + "see --nchan), propagation-wide (--wide-coordinators coordinator JVMs × --wide-subscribers subscribers, the fleet "
            + "in one child JVM per coordinator: past one process's open-file limit; only when named), detection, echo, rooms, "
            + "room-speed (publish throughput and delivery vs a bare event-bus floor), "
            + "balance, failover, simulate (the balance simulator), rebalance (balance's scale-out case alone) soak (long: --soak-seconds; only when named) or footprint (the Java client's heap and CPU; only when named)")
        .option("subscribers", null, "1000,10000,18000,50000", "subscriber counts for propagation")
        .option("nchan", null, "on", "propagation also runs nginx + nchan with the same fleet and event data (on/off); "
            + "installs the Debian packages nginx and libnginx-mod-nchan with apt-get when missing (as root)")
        .option("changes", null, 20, "changes measured per subscriber count")
        .option("wide-coordinators", null, 3, "coordinator JVMs of propagation-wide")
        .option("wide-subscribers", null, 17_000, "subscribers per coordinator in propagation-wide (each fleet JVM holds that many sockets)")
        .option("wide-changes", null, 10, "changes measured in propagation-wide")
        .option("runs", null, 10, "runs per detection event")
        .option("time-limit-s", null, 1200, "stop starting new measurements after this many seconds")
        .option("coordinator-jar", null, null, "coordinator jar (default: coordinator/target/switchboard-coordinator-*-all.jar)")
        .option("backend-jar", null, null, "backend jar (default: ws-backend/target/switchboard-ws-backend-*-all.jar)")
        .option("echo-connections", null, 50, "closed-loop connections for echo")
        .option("echo-seconds", null, 10, "measured seconds per echo target")
        .option("room-members", null, 100, "room members per backend for the room fan-out")
        .option("room-messages", null, 100, "messages published for the room fan-out")
        .option("speed-publishers", null, 20, "closed-loop publishing connections for room-speed")
        .option("speed-seconds", null, 10, "measured seconds per room-speed figure (the delivery's first second is warm-up)")
        .option("speed-members", null, 200, "room members for room-speed's delivery")
        .option("speed-rate", null, 1000, "messages per second for room-speed's delivery")
        .option("balance-cases", null, String.join(",", BALANCE_CASES), "cases balance runs")
        .option("burst-clients", null, 2000, "clients started within 1 s per burst (balance)")
        .option("burst-backends", null, "2,5", "backend counts of the bursts (balance)")
        .option("burst-policies", null, "round-robin,random,least-loaded,sticky", "policies of the bursts (balance)")
        .option("rebalance-clients", null, 6000, "clients for the scale-out 3 -> 6 (balance, rebalance)")
        .option("kill-clients", null, 1000, "clients for the kill -9 and restart cases (balance)")
        .option("client-age-s", null, 35, "seconds the clients are open before the scale-out and the kill (balance), past a rebalance hold-down")
        .option("failover-clients", null, 300, "Java clients for the failover scenario")
        .option("sim-clients", null, 1_000_000, "simulated clients for the simulate scenario")
        .option("sim-backends", null, 200, "simulated backends for the simulate scenario (scale-out starts from half)")
        .option("sim-seed", null, 1, "seed of the simulate scenario")
        .option("sim-policies", null, "least-loaded,round-robin,random", "policies the simulate scenario runs")
        .option("soak-seconds", null, 600, "how long the soak runs under the CPU hog")
        .option("soak-clients", null, 300, "clients during the soak")
        .option("footprint-clients", null, 10_000, "Java clients held in one JVM for footprint (one open file each, two with --footprint-list own)")
        .option("footprint-list", null, "shared", "footprint's list streams: shared (one BackendList for every client) or own (one per client)")
        .option("footprint-nodes", null, 2, "backend-node JVMs for footprint")
        .option("footprint-backends", null, 2, "backends per node for footprint")
        .option("footprint-seconds", null, 30, "seconds of heartbeats measured for footprint")
        .option("footprint-heap", null, "2g", "heap of footprint's client JVM")
        .option("node-args", null, null, "extra options for the backend nodes of balance and soak, e.g. \"--rebalance-threshold 1.05\"")
        .option("coordinator-args", null, null, "extra options for the coordinator JVM, e.g. \"--liveness-timeout-ms 2500\"")
        .option("out", null, "BENCHMARKS.md", "report file")
        .option("command", null, null, "the command line recorded in the report (default: this one)");
    CommandLine.Values values;
    Set<String> scenarios = new LinkedHashSet<>();
    Set<String> cases = new LinkedHashSet<>();
    try {
      values = cli.parse(args, System.getenv());
      if (values != null) {
        for (String s : list(values.get("scenario"))) {
          if (s.equals("all")) {
            scenarios.addAll(ALL);
          } else if (SCENARIOS.contains(s)) {
            scenarios.add(s);
          } else {
            throw new CommandLine.UsageException("unknown scenario '" + s + "'");
          }
        }
        for (String c : list(values.get("balance-cases"))) {
          if (!BALANCE_CASES.contains(c)) {
            throw new CommandLine.UsageException("unknown balance case '" + c + "'");
          }
          cases.add(c);
        }
      }
    } catch (CommandLine.UsageException e) {
      System.err.println("error: " + e.getMessage() + "\n\n" + cli.help());
      System.exit(2);
      return;
    }
    if (values == null) {
      System.out.print(cli.help());
      return;
    }
    String command = values.get("command") != null ? values.get("command")
        : ("./switchboard bench " + String.join(" ", args)).strip();
    Path out = Path.of(values.get("out"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(values.getInt("time-limit-s"));
    if (scenarios.contains("simulate")) {
      // virtual time on this thread: no cluster, no Vert.x
      List<Policy> policies = Arrays.stream(values.get("sim-policies").split(",")).map(String::trim).map(Policy::of).toList();
      String body = new SimulateBench(values.getInt("sim-clients"), values.getInt("sim-backends"), values.getInt("sim-seed"),
          policies).run();
      BenchReport.write(out, "simulate", command, body);
      System.out.println("simulate figures written to " + out);
      if (scenarios.size() == 1) {
        System.exit(0);
      }
    }
    List<String> nodeArgs = words(values.get("node-args"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(EVENT_LOOPS));
    try (BenchCluster cluster = new BenchCluster(jar(values.get("coordinator-jar"), "coordinator"),
        jar(values.get("backend-jar"), "ws-backend"), Path.of("target", "bench-logs"),
        words(values.get("coordinator-args")))) {
      cluster.start();
      if (scenarios.contains("propagation")) {
        List<Integer> sizes = list(values.get("subscribers")).stream().map(Integer::parseInt).toList();
        String body = new PropagationBench(cluster, vertx, values.getInt("changes"), deadline,
            !"off".equals(values.get("nchan"))).run(sizes);
        BenchReport.write(out, "propagation", command, body);
        System.out.println("propagation figures written to " + out);
      }
      if (scenarios.contains("propagation-wide")) {
        String benchJar = BenchMain.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        write(out, "propagation-wide", command, new WidePropagationBench(cluster, benchJar, values.getInt("wide-coordinators"),
            values.getInt("wide-subscribers"), values.getInt("wide-changes")).run());
      }
      if (scenarios.contains("detection")) {
        String body = new DetectionBench(cluster, vertx, values.getInt("runs")).run();
        BenchReport.write(out, "detection", command, body);
        System.out.println("detection figures written to " + out);
      }
      if (scenarios.contains("echo")) {
        BenchReport.write(out, "echo", command, echo(cluster, vertx, values));
        System.out.println("echo figures written to " + out);
      }
      if (scenarios.contains("rooms")) {
        try (Proc a = cluster.backendNode("bench-rooms-a", "512m", "--instances", "1", "--rebalance", "false");
             Proc b = cluster.backendNode("bench-rooms-b", "512m", "--instances", "1", "--rebalance", "false")) {
          String urlA = a.await("switchboard backend \\S+: (ws://\\S+)", Duration.ofSeconds(120)).group(1);
          String urlB = b.await("switchboard backend \\S+: (ws://\\S+)", Duration.ofSeconds(120)).group(1);
          String body = new RoomFanoutBench(vertx).run(urlA, urlB, values.getInt("room-members"), values.getInt("room-messages"));
          BenchReport.write(out, "rooms", command, body);
          System.out.println("room figures written to " + out);
        }
      }
      if (scenarios.contains("room-speed")) {
        write(out, "room-speed", command, new RoomSpeedBench(cluster, vertx, new RoomSpeedBench.Settings(
            values.getInt("speed-publishers"), values.getInt("speed-seconds"), values.getInt("speed-members"),
            values.getInt("speed-rate"))).run());
      }
      if (scenarios.contains("balance") || scenarios.contains("rebalance")) {
        BalanceBench balance = new BalanceBench(cluster, vertx, new BalanceBench.Settings(values.getInt("burst-clients"),
            list(values.get("burst-backends")).stream().map(Integer::parseInt).toList(), list(values.get("burst-policies")),
            values.getInt("rebalance-clients"), values.getInt("kill-clients"), nodeArgs,
            Duration.ofSeconds(values.getInt("client-age-s"))));
        boolean all = scenarios.contains("balance");
        if (all && cases.contains("burst")) {
          write(out, "balance-burst", command, balance.burst());
        }
        if (!all || cases.contains("scale-out")) {
          write(out, "balance-scale-out", command, balance.scaleOut());
        }
        if (all && (cases.contains("kill") || cases.contains("restart"))) {
          BalanceBench.KillReport kill = balance.killAndRestart(cases.contains("restart"));
          if (cases.contains("kill")) {
            write(out, "balance-kill", command, kill.kill());
          }
          if (cases.contains("restart")) {
            write(out, "balance-restart", command, kill.restart());
          }
        }
      }
      if (scenarios.contains("failover")) {
        String body = new FailoverBench(cluster, vertx, values.getInt("failover-clients")).run();
        BenchReport.write(out, "failover", command, body);
        System.out.println("failover figures written to " + out);
      }
      if (scenarios.contains("footprint")) {
        write(out, "footprint", command, new FootprintBench(cluster, new FootprintBench.Settings(values.getInt("footprint-clients"),
            values.getInt("footprint-nodes"), values.getInt("footprint-backends"), SwitchboardClientOptions.DEFAULT_INTERVAL_MS,
            values.getInt("footprint-seconds"), 500, values.get("footprint-heap"), sharedList(values.get("footprint-list")))).run());
      }
      if (scenarios.contains("soak")) {
        write(out, "soak", command, new SoakBench(cluster, vertx, values.getInt("soak-clients"), values.getInt("soak-seconds"), nodeArgs).run());
      }
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    System.exit(0);
  }

  /** The given jar, or the runnable jar built in {@code module}/target ({@code switchboard-<module>-<version>-all.jar}). */
  private static boolean sharedList(String value) {
    return switch (value) {
      case "shared" -> true;
      case "own" -> false;
      default -> throw new IllegalArgumentException("--footprint-list must be shared or own, got '" + value + "'");
    };
  }

  private static String jar(String given, String module) throws java.io.IOException {
    if (given != null) {
      return given;
    }
    Path target = Path.of(module, "target");
    try (var files = java.nio.file.Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().matches("switchboard-" + module + "-.+-all\\.jar"))
          .findFirst().map(Path::toString)
          .orElseThrow(() -> new IllegalStateException("no runnable jar in " + target + ": run ./switchboard build"));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalStateException("no " + target + ": run ./switchboard build", e);
    }
  }

  private static void write(Path out, String section, String command, String body) throws Exception {
    BenchReport.write(out, section, command, body);
    System.out.println(section + " figures written to " + out);
  }
}
