package dev.switchboard.bench;

import dev.switchboard.cluster.CommandLine;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code switchboard bench}: runs the benchmark scenarios and writes their figures into BENCHMARKS.md. */
public final class BenchMain {

  private BenchMain() {
  }

  public static void main(String[] args) throws Exception {
    CommandLine cli = new CommandLine("bench", "Measures propagation to many SSE subscribers and failure detection.")
        .option("scenario", null, "all", "all, propagation or detection")
        .option("subscribers", null, "1000,10000,18000,50000", "subscriber counts for propagation")
        .option("changes", null, 20, "changes measured per subscriber count")
        .option("runs", null, 10, "runs per detection event")
        .option("time-limit-s", null, 1200, "stop starting new measurements after this many seconds")
        .option("coordinator-jar", null, "coordinator/target/switchboard-coordinator.jar", "coordinator jar")
        .option("backend-jar", null, "ws-backend/target/switchboard-ws-backend.jar", "backend jar")
        .option("out", null, "BENCHMARKS.md", "report file")
        .option("command", null, "./switchboard bench", "the command line recorded in the report");
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
    String command = values.get("command");
    Path out = Path.of(values.get("out"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(values.getInt("time-limit-s"));
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
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
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    System.exit(0);
  }
}
