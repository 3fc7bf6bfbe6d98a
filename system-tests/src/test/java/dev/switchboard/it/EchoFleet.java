package dev.switchboard.it;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Well-behaved clients that only echo, at a fixed rate, on Vert.x WebSockets (no thread each): a
 * measurement sends the same number of echoes from every client, spread evenly over each period, and
 * gives back every round-trip time.
 */
final class EchoFleet implements AutoCloseable {

  private final Vertx vertx;
  private final WebSocketClient client;
  private final List<Member> members = new ArrayList<>();

  /** One connection; its latencies are recorded on its event loop and read after a measurement. */
  private static final class Member {
    final WebSocket socket;
    volatile Short closeStatus;
    volatile boolean welcomed;
    /** Latencies of the current measurement, in nanoseconds. */
    volatile long[] latencies = new long[0];
    /** When each echo of the current measurement was sent (System.nanoTime). */
    volatile long[] sentAt = new long[0];
    final AtomicLong received = new AtomicLong();
    final AtomicLong unexpected = new AtomicLong();

    Member(WebSocket socket) {
      this.socket = socket;
      socket.closeHandler(v -> closeStatus = socket.closeStatusCode());
      socket.textMessageHandler(text -> {
        long now = System.nanoTime();
        JsonObject f = new JsonObject(text);
        switch (f.getString("type")) {
          case "welcome" -> welcomed = true;
          case "echo" -> {
            int slot = (int) f.getLong("id").longValue();
            long[] current = latencies;
            if (slot < current.length && current[slot] == 0) {
              long sent = f.getLong("data");
              sentAt[slot] = sent;
              current[slot] = now - sent;
              received.incrementAndGet();
            }
          }
          default -> unexpected.incrementAndGet();
        }
      });
    }
  }

  private EchoFleet(Vertx vertx, WebSocketClient client) {
    this.vertx = vertx;
    this.client = client;
  }

  /** Connects {@code count} clients, a few at a time, and waits for every welcome. */
  static EchoFleet connect(Vertx vertx, String url, int count) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(count + 10));
    EchoFleet fleet = new EchoFleet(vertx, client);
    for (int i = 0; i < count; i += 25) {
      List<Future<Member>> batch = new ArrayList<>();
      for (int k = i; k < Math.min(count, i + 25); k++) {
        // handlers go on in map, on the event loop, before the welcome can arrive
        batch.add(client.connect(new WebSocketConnectOptions().setAbsoluteURI(url)).map(Member::new));
      }
      for (Future<Member> f : batch) {
        fleet.members.add(f.await(20, TimeUnit.SECONDS));
      }
    }
    Http.await(count + " welcomes", java.time.Duration.ofSeconds(20),
        () -> fleet.members.stream().allMatch(m -> m.welcomed));
    return fleet;
  }

  int size() {
    return members.size();
  }

  /**
   * Every client sends {@code samples} echoes, one each {@code periodMs}, the clients' sends spread
   * evenly over the period; waits for every answer (up to {@code periodMs * samples} plus 20 s) and
   * returns the round-trip times in microseconds, sorted. An echo still missing fails the test.
   */
  long[] measure(int samples, long periodMs) throws Exception {
    List<Long> timers = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      m.sentAt = new long[samples];
      m.latencies = new long[samples];
      m.received.set(0);
      long offsetMs = 1 + periodMs * i / members.size();
      long[] sent = {0};
      long[] timer = new long[1];
      // setPeriodic's first run comes after offsetMs, the next ones every periodMs
      timer[0] = vertx.setPeriodic(offsetMs, periodMs, id -> {
        if (sent[0] >= samples) {
          vertx.cancelTimer(id);
          return;
        }
        int slot = (int) sent[0]++;
        m.socket.writeTextMessage(new JsonObject().put("type", "echo").put("id", slot).put("data", System.nanoTime()).encode());
      });
      timers.add(timer[0]);
    }
    long total = (long) samples * members.size();
    try {
      Http.await(total + " echoes answered", java.time.Duration.ofMillis(periodMs * samples + 20_000),
          () -> members.stream().mapToLong(m -> m.received.get()).sum() == total);
    } finally {
      timers.forEach(vertx::cancelTimer);
    }
    long[] all = new long[(int) total];
    int n = 0;
    for (Member m : members) {
      for (long nanos : m.latencies) {
        all[n++] = TimeUnit.NANOSECONDS.toMicros(nanos);
      }
    }
    Arrays.sort(all);
    return all;
  }

  /**
   * The last measurement's p99 and count per {@code bucketMs} of send time, from its first send: shows
   * when in a run the slow echoes were sent.
   */
  String timeline(long bucketMs) {
    long first = Long.MAX_VALUE;
    for (Member m : members) {
      for (long t : m.sentAt) {
        first = Math.min(first, t);
      }
    }
    java.util.Map<Long, List<Long>> buckets = new java.util.TreeMap<>();
    for (Member m : members) {
      for (int i = 0; i < m.sentAt.length; i++) {
        long bucket = TimeUnit.NANOSECONDS.toMillis(m.sentAt[i] - first) / bucketMs;
        buckets.computeIfAbsent(bucket, b -> new ArrayList<>()).add(TimeUnit.NANOSECONDS.toMicros(m.latencies[i]));
      }
    }
    StringBuilder out = new StringBuilder();
    buckets.forEach((bucket, values) -> {
      long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
      out.append(String.format(" [%d ms: n %d p50 %d p99 %d µs]", bucket * bucketMs, sorted.length,
          percentile(sorted, 50), percentile(sorted, 99)));
    });
    return out.toString();
  }

  /** The {@code p}-th percentile (0 < p ≤ 100) of sorted values, nearest rank. */
  static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  /** The close codes of the clients that were closed (empty: every one is open). */
  List<String> closed() {
    List<String> closed = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      Member m = members.get(i);
      if (m.socket.isClosed()) {
        closed.add("#" + i + ": " + m.closeStatus);
      }
    }
    return closed;
  }

  /** Frames other than welcome and echo (an error frame, most likely). */
  long unexpected() {
    return members.stream().mapToLong(m -> m.unexpected.get()).sum();
  }

  @Override
  public void close() throws Exception {
    client.close().await(10, TimeUnit.SECONDS);
  }
}
