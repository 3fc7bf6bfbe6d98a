package dev.switchboard.bench;

import dev.switchboard.model.SseEvent;
import dev.switchboard.model.SseParser;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A backend node JVM is killed (kill -9), frozen (SIGSTOP) or stopped (SIGTERM, the graceful
 * baseline); the time until a subscriber of the coordinator receives its {@code remove} is measured.
 */
final class DetectionBench {

  private record Arrival(SseEvent event, long nanos) {
  }

  private final BenchCluster cluster;
  private final Vertx vertx;
  private final int runs;
  private final BlockingQueue<Arrival> events = new LinkedBlockingQueue<>();

  DetectionBench(BenchCluster cluster, Vertx vertx, int runs) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.runs = runs;
  }

  String run() throws Exception {
    HttpClient client = vertx.createHttpClient();
    client.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(cluster.coordinatorPort())
        .setURI("/v1/backends/stream")).compose(r -> r.send()).map(resp -> {
          SseParser parser = new SseParser(e -> events.add(new Arrival(e, System.nanoTime())));
          resp.handler(b -> parser.feed(b.getBytes()));
          return null;
        }).await(30, TimeUnit.SECONDS);
    StringBuilder table = new StringBuilder("| event | runs | p50 ms | p99 ms | max ms | p50 / graceful p50 | bound |\n"
        + "|---|---|---|---|---|---|---|\n");
    Stats graceful = measure("TERM");
    row(table, "SIGTERM (graceful baseline)", graceful, graceful, "at once");
    row(table, "kill -9", measure("KILL"), graceful, "2 s");
    row(table, "SIGSTOP (frozen, silent)", measure("STOP"), graceful, "3 s");
    client.close();
    return "Time from the signal to the `remove` event at a subscriber of the coordinator; a fresh backend-node "
        + "JVM (one backend, lite member) per run. Liveness: heartbeat every 500 ms, deadline 1,500 ms, checked "
        + "every 100 ms; Hazelcast heartbeat 1 s, member timeout 10 s.\n\n" + table;
  }

  private static void row(StringBuilder table, String what, Stats s, Stats baseline, String bound) {
    table.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f | %.1f× | %s |%n",
        what, s.count(), s.p50(), s.p99(), s.max(), s.p50() / baseline.p50(), bound));
  }

  private Stats measure(String signal) throws Exception {
    long[] samples = new long[runs];
    for (int run = 0; run < runs; run++) {
      try (Proc node = cluster.backendNode("bench-backend-" + signal.toLowerCase(Locale.ROOT) + "-" + run)) {
        String id = node.await("switchboard backend (\\S+-0): ws://", Duration.ofSeconds(120)).group(1);
        await("upsert", id, Duration.ofSeconds(30));
        long t0 = System.nanoTime();
        if ("KILL".equals(signal)) {
          node.kill9();
        } else {
          node.signal(signal);
        }
        samples[run] = await("remove", id, Duration.ofSeconds(30)).nanos() - t0;
        if ("STOP".equals(signal)) {
          node.signal("CONT");
        }
        System.out.printf("detection %s run %d/%d: %d ms%n", signal, run + 1, runs, TimeUnit.NANOSECONDS.toMillis(samples[run]));
      }
    }
    return Stats.of(samples, runs);
  }

  private Arrival await(String type, String id, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Arrival a = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (a == null) {
        throw new IllegalStateException("no " + type + " of " + id + " within " + timeout);
      }
      if (a.event().event().equals(type) && id.equals(new JsonObject(a.event().data()).getString("id"))) {
        return a;
      }
    }
  }
}
