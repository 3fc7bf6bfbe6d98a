package dev.switchboard.bench;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A subscriber fleet in its own JVM, so that a bench can hold more streams than one process may open
 * files: {@code FleetMain <host> <port> <probeId> <subscribers> <changes>}. It prints
 * {@code fleet ready <n>} once every stream is open and {@code fleet got <c>} once all have change
 * {@code c}; on the line {@code report <file>} from its standard input it writes one line
 * {@code <change> <nanoTime>} per delivery (System.nanoTime is CLOCK_MONOTONIC on Linux, one clock
 * for every process of the machine) and prints {@code fleet wrote <file>}; it exits at end of input.
 */
public final class FleetMain {

  private FleetMain() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: FleetMain <host> <port> <probeId> <subscribers> <changes>");
      System.exit(2);
    }
    int n = Integer.parseInt(args[3]);
    int changes = Integer.parseInt(args[4]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(BenchMain.EVENT_LOOPS));
    SubscriberFleet fleet = new SubscriberFleet(vertx, args[0], Integer.parseInt(args[1]), args[2]);
    // no sent(): the recorded "latency" is the receipt's own nanoTime, the parent subtracts its send time
    fleet.expect(changes, n);
    fleet.connectTo(n, () -> {
      if (fleet.connected() % 5_000 == 0) {
        System.out.printf("fleet connected %d%n", fleet.connected());
      }
    }).await(10, TimeUnit.MINUTES);
    System.out.printf("fleet ready %d%n", n);
    Thread announcer = new Thread(() -> announce(fleet, n, changes), "fleet-announcer");
    announcer.setDaemon(true);
    announcer.start();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("report ")) {
          Path file = Path.of(line.substring("report ".length()).trim());
          report(fleet, n, changes, file);
          System.out.println("fleet wrote " + file);
        }
      }
    }
    fleet.close().await(1, TimeUnit.MINUTES);
    vertx.close().await(30, TimeUnit.SECONDS);
    System.exit(0);
  }

  private static void announce(SubscriberFleet fleet, int n, int changes) {
    try {
      for (int c = 0; c < changes; c++) {
        while (fleet.received(c) < n) {
          Thread.sleep(2);
        }
        System.out.printf("fleet got %d%n", c);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void report(SubscriberFleet fleet, int n, int changes, Path file) throws Exception {
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file))) {
      for (int c = 0; c < changes; c++) {
        int got = Math.min(n, fleet.received(c));
        long[] at = fleet.latencies(c);
        for (int i = 0; i < got; i++) {
          out.println(c + " " + at[i]);
        }
      }
    }
  }
}
