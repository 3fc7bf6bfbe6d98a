package dev.switchboard.bench;

import dev.switchboard.client.BackendListStream;
import dev.switchboard.client.ClientState;
import dev.switchboard.client.ListEvent;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client failover: Java clients (default options) spread over three backend-node JVMs; one node is
 * killed (kill -9) or frozen (SIGSTOP). For each client whose primary connection was on that node, the
 * time from the signal until it has a primary connection elsewhere again — with one connection
 * (reconnect after backoff) and with a pool of two (the standby takes over). Baseline in the same run:
 * the time until a list subscriber of the coordinator sees the node's backend removed.
 */
final class FailoverBench {

  private record Client(SwitchboardClient client, AtomicLong noticedAt, AtomicLong recoveredAt) {
  }

  private final BenchCluster cluster;
  private final Vertx vertx;
  private final int clients;

  FailoverBench(BenchCluster cluster, Vertx vertx, int clients) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.clients = clients;
  }

  String run() throws Exception {
    StringBuilder table = new StringBuilder("| event | pool | clients moved | noticed p50 ms | recovered p50 ms | p99 ms | max ms "
        + "| coordinator's remove, ms | recovered p50 / remove |\n|---|---|---|---|---|---|---|---|---|\n");
    for (String signal : List.of("KILL", "STOP")) {
      for (int pool : List.of(1, 2)) {
        measure(signal, pool, table);
      }
    }
    return "Java clients with the default options (heartbeat 2 s / 5 s, backoff 250 ms base, full jitter, "
        + "round-robin), " + clients + " per run, spread over three backend-node JVMs and the bench node's own backend; "
        + "one node is signalled. Per client whose primary was on it: time from the signal until it notices (its "
        + "failover event: socket closed, or the backend left the list) and until it has a primary connection on another backend (pool 1: a new connection after backoff; pool 2: the hot standby takes "
        + "over). Baseline, same run: the coordinator's `remove` at a list subscriber. After kill -9 the kernel "
        + "closes the node's sockets once it has torn the JVM down (tens of ms here; one earlier run on the busy "
        + "machine saw ~650 ms), so clients usually act before the coordinator's remove (and try the other "
        + "backends first, though the list still shows the dead one); a frozen node keeps its sockets open, so "
        + "clients learn of it from the list (their heartbeat timeout, 5 s, would be later).\n\n" + table;
  }

  /** Milliseconds from {@code t0} to each time; a client that never got there counts as {@code Long.MAX_VALUE}. */
  private static Stats stats(List<AtomicLong> times, long t0) {
    long[] samples = times.stream().mapToLong(t -> t.get() == 0 ? Long.MAX_VALUE : t.get() - t0).toArray();
    return Stats.of(samples, samples.length);
  }

  private void measure(String signal, int pool, StringBuilder table) throws Exception {
    String label = "bench-failover-" + signal.toLowerCase(Locale.ROOT) + "-" + pool;
    try (Proc victim = cluster.backendNode(label + "-a", "384m", "--instances", "1");
         Proc b = cluster.backendNode(label + "-b", "384m", "--instances", "1");
         Proc c = cluster.backendNode(label + "-c", "384m", "--instances", "1")) {
      String victimId = victim.await("switchboard backend (\\S+-0): ws://", Duration.ofSeconds(120)).group(1);
      String bId = b.await("switchboard backend (\\S+-0): ws://", Duration.ofSeconds(120)).group(1);
      String cId = c.await("switchboard backend (\\S+-0): ws://", Duration.ofSeconds(120)).group(1);
      AtomicLong removedAt = new AtomicLong();
      AtomicLong t0 = new AtomicLong(Long.MAX_VALUE);
      CompletableFuture<Void> listed = new CompletableFuture<>();
      BackendListStream list = new BackendListStream(vertx, cluster.coordinatorUrl(), null);
      vertx.runOnContext(v -> list.handler(e -> {
        // the three new backends and the bench node's own, and nothing left over from an earlier row
        if (list.backends().size() == 4 && list.backends().keySet().containsAll(List.of(victimId, bId, cId))) {
          listed.complete(null);
        }
        if (e instanceof ListEvent.Remove r && r.id().equals(victimId) && System.nanoTime() > t0.get()) {
          removedAt.compareAndSet(0, System.nanoTime());
        }
      }).open());
      listed.get(60, TimeUnit.SECONDS);

      List<Client> fleet = new ArrayList<>();
      List<Future<Void>> started = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        AtomicLong recovered = new AtomicLong();
        AtomicLong noticed = new AtomicLong();
        SwitchboardClient[] self = new SwitchboardClient[1];
        Runnable check = () -> {
          BackendRecord now = self[0].backend();
          if (System.nanoTime() > t0.get() && now != null && !now.id().equals(victimId)) {
            recovered.compareAndSet(0, System.nanoTime());
          }
        };
        self[0] = new SwitchboardClient(vertx, new SwitchboardClientOptions().setCoordinators(List.of(cluster.coordinatorUrl()))
            .setConnections(pool))
            .openHandler(r -> check.run())
            .failoverHandler(f -> {
              if (System.nanoTime() > t0.get() && f.from().id().equals(victimId)) {
                noticed.compareAndSet(0, System.nanoTime());
              }
              check.run();
            });
        fleet.add(new Client(self[0], noticed, recovered));
        started.add(self[0].start());
      }
      Future.all(started).await(120, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (fleet.stream().anyMatch(f -> f.client().state() != ClientState.OPEN) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      List<Client> affected = fleet.stream().filter(f -> victimId.equals(f.client().backend().id())).toList();
      if (affected.isEmpty()) {
        throw new IllegalStateException("no client has its primary on " + victimId);
      }

      t0.set(System.nanoTime());
      if ("KILL".equals(signal)) {
        victim.kill9();
      } else {
        victim.signal("STOP");
      }
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while ((affected.stream().anyMatch(f -> f.recoveredAt().get() == 0) || removedAt.get() == 0) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      Stats noticed = stats(affected.stream().map(Client::noticedAt).toList(), t0.get());
      Stats s = stats(affected.stream().map(Client::recoveredAt).toList(), t0.get());
      double removeMs = (removedAt.get() - t0.get()) / 1e6;
      table.append(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f× |%n",
          "KILL".equals(signal) ? "kill -9" : "SIGSTOP", pool, affected.size(), noticed.p50(), s.p50(), s.p99(), s.max(), removeMs,
          s.p50() / removeMs));
      System.out.printf("failover %s pool %d: %d clients moved, noticed p50 %.0f ms, recovered p50 %.0f ms, p99 %.0f ms; coordinator remove %.0f ms%n",
          signal, pool, affected.size(), noticed.p50(), s.p50(), s.p99(), removeMs);
      if ("STOP".equals(signal)) {
        victim.signal("CONT");
      }
      Future.all(fleet.stream().map(f -> f.client().close()).toList()).await(60, TimeUnit.SECONDS);
      vertx.runOnContext(v -> list.close());
    }
  }
}
