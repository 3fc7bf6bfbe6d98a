package dev.switchboard.bench;

import dev.switchboard.client.BackendList;
import dev.switchboard.client.ClientState;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The footprint scenario's client JVM: opens {@code clients} Java clients (pool 1, heartbeats on) against
 * a coordinator, then measures itself — used heap after GC before and after, and its CPU time over a
 * window divided by the heartbeats answered in it — and prints one {@code footprint:} line.
 * Args: coordinatorUrl service clients intervalMs measureSeconds startsPerSecond list, where list is
 * {@code shared} (one {@link BackendList} followed by every client) or {@code own} (a list stream per client).
 */
public final class FootprintClients {

  private FootprintClients() {
  }

  public static void main(String[] args) throws Exception {
    String coordinator = args[0];
    String service = args[1];
    int clients = Integer.parseInt(args[2]);
    long intervalMs = Long.parseLong(args[3]);
    long measureMs = Long.parseLong(args[4]) * 1000;
    int startsPerSecond = Integer.parseInt(args[5]);
    boolean shared = "shared".equals(args[6]);
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    long heapBefore = usedAfterGc(memory);
    AtomicLong pongs = new AtomicLong();
    List<SwitchboardClient> all = new ArrayList<>(clients);
    List<Future<Void>> started = new ArrayList<>(clients);
    SwitchboardClientOptions options = new SwitchboardClientOptions()
        .setCoordinators(List.of(coordinator)).setService(service).setConnections(1).setIntervalMs(intervalMs);
    BackendList list = shared ? new BackendList(vertx, options.listOptions()) : null;
    long t0 = System.nanoTime();
    for (int i = 0; i < clients; i++) {
      SwitchboardClient client = (shared ? new SwitchboardClient(vertx, options, list) : new SwitchboardClient(vertx, options))
          .rttHandler(r -> pongs.incrementAndGet());
      all.add(client);
      started.add(client.start());
      long due = t0 + TimeUnit.SECONDS.toNanos(1) * (i + 1) / startsPerSecond;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
    try {
      Future.all(started).await(Math.max(120, clients / 50), TimeUnit.SECONDS);
    } catch (Exception e) {
      System.out.println("footprint: not every client opened (" + e + "); measuring those that did");
    }
    long open = all.stream().filter(c -> c.state() == ClientState.OPEN).count();
    System.out.printf("footprint: %d of %d clients open after %d ms%n", open, clients,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    TimeUnit.MILLISECONDS.sleep(2 * intervalMs); // heartbeats in their steady rhythm
    long heapWith = usedAfterGc(memory);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long pongs0 = pongs.get();
    TimeUnit.MILLISECONDS.sleep(measureMs);
    long cpuNs = os.getProcessCpuTime() - cpu0;
    long heartbeats = pongs.get() - pongs0;
    System.out.printf("footprint: clients=%d open=%d heapBefore=%d heapWith=%d heapPerClient=%d cpuMs=%d heartbeats=%d "
            + "cpuPerHeartbeatUs=%.1f%n", clients, open, heapBefore, heapWith, (heapWith - heapBefore) / Math.max(1, clients),
        cpuNs / 1_000_000, heartbeats, heartbeats == 0 ? 0.0 : cpuNs / 1000.0 / heartbeats);
    Future.all(all.stream().map(SwitchboardClient::close).toList()).await(60, TimeUnit.SECONDS);
    if (list != null) {
      list.close().await(10, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
    System.exit(0);
  }

  private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      TimeUnit.MILLISECONDS.sleep(200);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
