package dev.switchboard.bench;

import dev.switchboard.client.ClientState;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Java clients in this JVM, one {@link SwitchboardClient} each (its own list stream and sockets), spread
 * over the shared Vert.x event loops, and what happened to each: connection attempts by backend,
 * planned moves, failovers, heartbeat round trips, and — after {@link #lose} — when each client
 * noticed the loss of that backend and when it had its primary connection elsewhere again.
 */
final class Fleet implements AutoCloseable {

  /** A connection attempt to {@code backend} at {@code at} (nanoTime). */
  record Attempt(String backend, long at) {
  }

  /**
   * Connections per backend among the ones asked about, counted from the clients' own pools (exact,
   * unlike the list's coalesced counts); {@code elsewhere} are connections to any other backend.
   */
  record Spread(Map<String, Integer> counts, int elsewhere) {

    int total() {
      return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    double mean() {
      return counts.isEmpty() ? Double.NaN : total() / (double) counts.size();
    }

    int max() {
      return counts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** max / mean; 1.00 is perfect. */
    double ratio() {
      return max() / mean();
    }

    /** Σ max(0, count − mean): the fewest connections that must move to make every backend the mean. */
    double excess() {
      double mean = mean();
      return counts.values().stream().mapToDouble(n -> Math.max(0, n - mean)).sum();
    }

    @Override
    public String toString() {
      return counts.values().stream().map(String::valueOf).collect(Collectors.joining(" / "))
          + (elsewhere > 0 ? " (+" + elsewhere + " elsewhere)" : "");
    }
  }

  private final List<SwitchboardClient> clients = new ArrayList<>();
  private final AtomicIntegerArray moves;
  private final AtomicIntegerArray failovers;
  private final Map<String, LongAdder> failoverReasons = new ConcurrentHashMap<>();
  private final Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final Queue<Long> rtts = new ConcurrentLinkedQueue<>();
  private final AtomicLongArray noticedAt;
  private final AtomicLongArray recoveredAt;
  private final Vertx vertx;
  private final String deployment;
  private volatile String lost = "";
  private volatile long lostAt = Long.MAX_VALUE;

  /**
   * Creates {@code size} clients, client {@code i} with {@code options.apply(i)}, none started yet. A client
   * runs on the context it is created on (created from a plain thread, all would share that thread's one
   * context), so they are created on {@code eventLoops} contexts of their own, one per event loop.
   */
  Fleet(Vertx vertx, int eventLoops, int size, IntFunction<SwitchboardClientOptions> options) throws Exception {
    moves = new AtomicIntegerArray(size);
    failovers = new AtomicIntegerArray(size);
    noticedAt = new AtomicLongArray(size);
    recoveredAt = new AtomicLongArray(size);
    this.vertx = vertx;
    List<Context> contexts = new CopyOnWriteArrayList<>();
    deployment = vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() throws Exception {
        contexts.add(context);
        return super.start();
      }
    }, new DeploymentOptions().setInstances(eventLoops)).await(30, TimeUnit.SECONDS);
    SwitchboardClient[] created = new SwitchboardClient[size];
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      int index = i;
      Promise<Void> done = Promise.promise();
      contexts.get(i % contexts.size()).runOnContext(v -> {
        created[index] = create(vertx, index, options.apply(index));
        threads.add(Thread.currentThread().getName());
        done.complete();
      });
      all.add(done.future());
    }
    Future.all(all).await(60, TimeUnit.SECONDS);
    clients.addAll(List.of(created));
    System.out.printf("fleet: %,d clients on %d event loops%n", size, threads.size());
  }

  private SwitchboardClient create(Vertx vertx, int index, SwitchboardClientOptions options) {
    SwitchboardClient[] self = new SwitchboardClient[1];
    self[0] = new SwitchboardClient(vertx, options)
        .connectHandler(b -> attempts.add(new Attempt(b.id(), System.nanoTime())))
        .openHandler(b -> checkRecovered(index, self[0]))
        .moveHandler(m -> moves.incrementAndGet(index))
        .rttHandler(r -> rtts.add((long) (r.ms() * 1e6)))
        .failoverHandler(f -> {
          failovers.incrementAndGet(index);
          failoverReasons.computeIfAbsent(f.reason().code(), k -> new LongAdder()).increment();
          long since = lostAt; // read before lost: lose() writes lost first
          if (System.nanoTime() > since && f.from().id().equals(lost)) {
            noticedAt.compareAndSet(index, 0, System.nanoTime());
          }
          checkRecovered(index, self[0]);
        });
    return self[0];
  }

  private void checkRecovered(int index, SwitchboardClient client) {
    long since = lostAt; // read before lost: lose() writes lost first
    BackendRecord now = client.backend();
    if (System.nanoTime() > since && now != null && !now.id().equals(lost)) {
      recoveredAt.compareAndSet(index, 0, System.nanoTime());
    }
  }

  int size() {
    return clients.size();
  }

  /** Starts every client, spread evenly over {@code window}; returns once all are started (not yet open). */
  void start(Duration window) throws InterruptedException {
    long t0 = System.nanoTime();
    for (int i = 0; i < clients.size(); i++) {
      long wait = t0 + window.toNanos() * i / clients.size() - System.nanoTime();
      if (wait > TimeUnit.MILLISECONDS.toNanos(1)) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      clients.get(i).start(); // its result is the state awaited below
    }
  }

  /** Waits until every client holds its whole pool ({@link ClientState#OPEN}); fails with the count after {@code timeout}. */
  void awaitOpen(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long notOpen = clients.stream().filter(c -> c.state() != ClientState.OPEN).count();
      if (notOpen == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(notOpen + " of " + clients.size() + " clients not open after " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /**
   * Polls every 100 ms until each client holds its whole pool of {@code pool} on {@code ids} and no
   * backend holds more than {@code bound} × the mean; returns when (nanoTime), or -1 after {@code timeout}.
   */
  long awaitBalanced(Collection<String> ids, int pool, double bound, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Spread now = spread(ids);
      if (now.elsewhere() == 0 && underfull(pool) == 0 && now.ratio() <= bound) {
        return System.nanoTime();
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return -1;
  }

  /** Connections per backend among {@code ids} (every connection of each pool, so the primary alone with a pool of one). */
  Spread spread(Collection<String> ids) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    ids.forEach(id -> counts.put(id, 0));
    int elsewhere = 0;
    for (SwitchboardClient c : clients) {
      for (BackendRecord b : c.backends()) {
        if (counts.containsKey(b.id())) {
          counts.merge(b.id(), 1, Integer::sum);
        } else {
          elsewhere++;
        }
      }
    }
    return new Spread(counts, elsewhere);
  }

  /** Primary connections per backend among {@code ids} (rooms and publishes use the primary). */
  Spread primaries(Collection<String> ids) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    ids.forEach(id -> counts.put(id, 0));
    int elsewhere = 0;
    for (SwitchboardClient c : clients) {
      BackendRecord b = c.backend();
      if (b != null && counts.containsKey(b.id())) {
        counts.merge(b.id(), 1, Integer::sum);
      } else if (b != null) {
        elsewhere++;
      }
    }
    return new Spread(counts, elsewhere);
  }

  /** Clients with fewer than {@code pool} connections open. */
  int underfull(int pool) {
    return (int) clients.stream().filter(c -> c.backends().size() < pool).count();
  }

  /** Clients holding more than {@code pool} connections (a pool should never grow past its size). */
  int overfull(int pool) {
    return (int) clients.stream().filter(c -> c.backends().size() > pool).count();
  }

  /** Indexes of the clients whose primary connection is on {@code backendId}. */
  List<Integer> primariesOn(String backendId) {
    List<Integer> on = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      BackendRecord b = clients.get(i).backend();
      if (b != null && b.id().equals(backendId)) {
        on.add(i);
      }
    }
    return on;
  }

  /** Move, failover, attempt and round-trip counts back to zero. */
  void resetCounts() {
    for (int i = 0; i < clients.size(); i++) {
      moves.set(i, 0);
      failovers.set(i, 0);
    }
    failoverReasons.clear();
    attempts.clear();
    rtts.clear();
  }

  /** From now on, times each client's notice of losing {@code backendId} and its recovery elsewhere; returns now. */
  long lose(String backendId) {
    for (int i = 0; i < clients.size(); i++) {
      noticedAt.set(i, 0);
      recoveredAt.set(i, 0);
    }
    lost = backendId;
    long now = System.nanoTime();
    lostAt = now;
    return now;
  }

  /** Planned moves started (drain or rebalance). */
  int moves() {
    int n = 0;
    for (int i = 0; i < clients.size(); i++) {
      n += moves.get(i);
    }
    return n;
  }

  /** Clients that started a planned move at least {@code times} times. */
  int clientsMoved(int times) {
    int n = 0;
    for (int i = 0; i < clients.size(); i++) {
      n += moves.get(i) >= times ? 1 : 0;
    }
    return n;
  }

  /** Connections that failed (any reason). */
  int failovers() {
    int n = 0;
    for (int i = 0; i < clients.size(); i++) {
      n += failovers.get(i);
    }
    return n;
  }

  /** Failovers by reason code, e.g. {@code closed 120, removed 3}; "none" when there were none. */
  String failoverReasons() {
    return failoverReasons.isEmpty() ? "none" : failoverReasons.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue().sum()).sorted().collect(Collectors.joining(", "));
  }

  /** Connection attempts to {@code backendId} at or after {@code since} (nanoTime). */
  long attemptsTo(String backendId, long since) {
    return attempts.stream().filter(a -> a.backend().equals(backendId) && a.at() >= since).count();
  }

  /** Connection attempts to any backend at or after {@code since} (nanoTime). */
  long attemptsSince(long since) {
    return attempts.stream().filter(a -> a.at() >= since).count();
  }

  /** Nanoseconds after {@code since} of every attempt from then on, to any backend. */
  long[] attemptDelays(long since) {
    return attempts.stream().filter(a -> a.at() >= since).mapToLong(a -> a.at() - since).toArray();
  }

  /** Milliseconds after {@code since} of each attempt to {@code backendId} from then on, for the log. */
  List<Long> attemptTimes(String backendId, long since) {
    return attempts.stream().filter(a -> a.backend().equals(backendId) && a.at() >= since)
        .map(a -> TimeUnit.NANOSECONDS.toMillis(a.at() - since)).sorted().toList();
  }

  /** Heartbeat round trips since the last {@link #resetCounts}. */
  Stats rtt() {
    long[] samples = rtts.stream().mapToLong(Long::longValue).toArray();
    return Stats.of(samples, samples.length);
  }

  /** Nanoseconds from {@link #lose} to each of {@code who}'s notice; clients that never noticed are left out. */
  long[] noticed(List<Integer> who) {
    return since(noticedAt, who);
  }

  /** Nanoseconds from {@link #lose} to each of {@code who}'s recovery; clients not recovered are left out. */
  long[] recovered(List<Integer> who) {
    return since(recoveredAt, who);
  }

  /** Nanoseconds from each of {@code who}'s notice to its recovery (the client's own part), for those with both. */
  long[] noticedToRecovered(List<Integer> who) {
    return who.stream().filter(i -> noticedAt.get(i) != 0 && recoveredAt.get(i) != 0)
        .mapToLong(i -> Math.max(0, recoveredAt.get(i) - noticedAt.get(i))).toArray();
  }

  private long[] since(AtomicLongArray times, List<Integer> who) {
    return who.stream().mapToLong(times::get).filter(t -> t != 0).map(t -> t - lostAt).toArray();
  }

  @Override
  public void close() throws Exception {
    Future.join(clients.stream().map(SwitchboardClient::close).toList()).await(120, TimeUnit.SECONDS);
    vertx.undeploy(deployment).await(30, TimeUnit.SECONDS);
  }
}
