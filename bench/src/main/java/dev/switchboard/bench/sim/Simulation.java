package dev.switchboard.bench.sim;

import dev.switchboard.client.policy.Mulberry32;
import dev.switchboard.client.policy.Policy;
import dev.switchboard.client.policy.Selector;
import dev.switchboard.model.BackendRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * A deterministic discrete-event simulation of one scenario: a virtual clock in microseconds, a queue of
 * timed events, two seeded random streams (the clients' draws, and the world's latencies and phases),
 * no threads and no real time. The same config gives the same figures.
 *
 * <p>The model: a backend's true count changes the moment a connection opens or closes; it writes its
 * count to the registry as BackendRegistration does (the first change after a quiet period 1 ms later,
 * then at most once per {@link SimConfig#loadReportMs()}), and every client's list shows each write at
 * once, membership changes too; an attempt's outcome takes one connect latency; a backend accepts while
 * alive and not full. No CPU, bandwidth, propagation delay or coordinator load is modelled, and each
 * backend is a node of its own.
 */
public final class Simulation {

  // event kinds, in the order they run at the same instant
  static final int SAMPLE = 0;
  static final int WRITE = 1;
  static final int EVENT = 2;
  static final int REMOVE = 3;
  static final int ROUND = 4;
  static final int START = 5;
  static final int CONNECTED = 6;
  static final int FILL = 7;
  static final int MOVE = 8;
  static final int LOSS = 9;
  static final int DEADLINE = 10;

  private static final long SAMPLE_US = 100_000;
  private static final long SECOND_US = 1_000_000;

  private final SimConfig config;
  private final Scenario scenario;
  private final EventQueue queue = new EventQueue();
  private final Mulberry32 policyRandom;
  private final Mulberry32 worldRandom;
  private final Fleet fleet;
  private final ClientGlue clients;
  private final RebalanceDriver rebalancer;
  private long now;
  private final long eventUs;
  private final long endUs;

  // the coordinators' list, as every client holds it
  private final boolean[] listed;
  private final int[] published;
  private final long[] lastWriteUs;
  private final boolean[] writePending;
  private final BackendRecord[] recordCache;
  private List<BackendRecord> list = List.of();
  private Selector shared;
  private int epoch;
  private int choosableListed;

  // figures
  private final ArrivalPeaks peaks;
  private final Imbalance imbalance = new Imbalance();
  private final BitSet affected = new BitSet();
  private final BitSet reconnected = new BitSet();
  private int affectedCount;
  private int reconnectedCount;
  private long lastReconnectUs = -1;
  private long minMoves;
  private final SimCounts counts = new SimCounts();
  private long failovers;
  private int backendsBefore;
  private long events;

  private Simulation(SimConfig config, Scenario scenario) {
    this.config = config;
    this.scenario = scenario;
    this.policyRandom = new Mulberry32(config.seed());
    this.worldRandom = new Mulberry32(config.seed() ^ 0x5eed5eed);
    this.fleet = new Fleet(config.backends(), config.clients(), config.capacity(), config.weight(), this::countChanged);
    this.clients = new ClientGlue(this, fleet, config);
    this.rebalancer = config.rebalance() ? new RebalanceDriver(this, fleet, clients, config) : null;
    this.listed = new boolean[config.backends()];
    this.published = new int[config.backends()];
    this.lastWriteUs = new long[config.backends()];
    this.writePending = new boolean[config.backends()];
    this.recordCache = new BackendRecord[config.backends()];
    Arrays.fill(lastWriteUs, Long.MIN_VALUE / 4);
    this.peaks = new ArrivalPeaks(config.backends(), (int) (SECOND_US / SAMPLE_US));
    this.eventUs = scenario == Scenario.COLD_START ? 0 : config.preEventMs() * 1000;
    this.endUs = eventUs + config.horizonMs() * 1000;
  }

  /** Runs {@code scenario} with {@code config}. */
  public static SimResult run(SimConfig config, Scenario scenario) {
    long started = System.nanoTime();
    Simulation sim = new Simulation(config, scenario);
    sim.setUp();
    sim.loop();
    return sim.result((System.nanoTime() - started) / 1_000_000);
  }

  private void setUp() {
    int initial = scenario == Scenario.SCALE_OUT ? config.backends() / 2 : config.backends();
    backendsBefore = initial;
    for (int b = 0; b < initial; b++) {
      bringUp(b);
    }
    if (scenario == Scenario.COLD_START) {
      for (int c = 0; c < config.clients(); c++) {
        schedule((long) (worldRandom.getAsDouble() * SECOND_US), START, c);
      }
    } else {
      // balanced and settled: every client connected long before the hold-down, oldest first by index
      long since = -2 * config.rebalanceHoldDownMs() * 1000 - config.clients();
      for (int c = 0; c < config.clients(); c++) {
        clients.place(c, c % initial, (int) (since + c));
      }
      for (int b = 0; b < initial; b++) {
        published[b] = fleet.connections[b];
      }
      schedule(eventUs, EVENT, 0);
    }
    publish();
    for (long t = eventUs; t <= endUs; t += SAMPLE_US) {
      schedule(t, SAMPLE, 0);
    }
  }

  private void bringUp(int b) {
    fleet.alive[b] = true;
    listed[b] = true;
    published[b] = fleet.connections[b];
    if (rebalancer != null) {
      schedule(now + (long) (worldRandom.getAsDouble() * config.rebalanceIntervalMs() * 1000), ROUND, b);
    }
  }

  private void loop() {
    while (!queue.isEmpty() && EventQueue.time(queue.peek()) <= endUs) {
      long key = queue.pop();
      now = EventQueue.time(key);
      int index = EventQueue.index(key);
      events++;
      switch (EventQueue.kind(key)) {
        case SAMPLE -> sample();
        case WRITE -> write(index);
        case EVENT -> event();
        case REMOVE -> removeDead();
        case ROUND -> {
          if (fleet.alive[index]) {
            rebalancer.round(index);
            schedule(now + config.rebalanceIntervalMs() * 1000, ROUND, index);
          }
        }
        case START -> clients.fill(index);
        case FILL -> clients.fillTimer(index);
        case CONNECTED -> clients.connected(index);
        case MOVE -> clients.moveTimer(index);
        case LOSS -> {
          int b = clients.at[index];
          if (b != Fleet.NONE && !fleet.alive[b]) {
            clients.socketClosed(index, b);
          }
        }
        case DEADLINE -> clients.deadline(index);
        default -> throw new IllegalStateException("unknown event kind " + EventQueue.kind(key));
      }
    }
  }

  // ---- the scenario's event ---------------------------------------------------------------------

  private void event() {
    if (scenario == Scenario.KILL) {
      int count = Math.max(1, (int) Math.round(config.backends() * config.killFraction()));
      int[] order = new int[config.backends()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      boolean[] killed = new boolean[config.backends()];
      for (int i = 0; i < count; i++) {
        int j = i + (int) (worldRandom.getAsDouble() * (order.length - i));
        int b = order[j];
        order[j] = order[i];
        order[i] = b;
        killed[b] = true;
      }
      minMoves = excessOverShare(killed);
      for (int b = 0; b < config.backends(); b++) {
        if (killed[b]) {
          for (int c : fleet.kill(b)) {
            affected.set(c);
            affectedCount++;
            long closeMs = config.closeMinMs()
                + (long) (worldRandom.getAsDouble() * (config.closeMaxMs() - config.closeMinMs()));
            schedule(now + closeMs * 1000 + (long) (worldRandom.getAsDouble() * 1000), LOSS, c);
          }
        }
      }
      schedule(now + config.removeMs() * 1000, REMOVE, 0);
    } else if (scenario == Scenario.SCALE_OUT) {
      for (int b = backendsBefore; b < config.backends(); b++) {
        bringUp(b);
      }
      minMoves = excessOverShare(new boolean[config.backends()]);
      publish();
      clients.onList(true, true);
    }
  }

  /** The coordinators drop the killed backends from the list. */
  private void removeDead() {
    for (int b = 0; b < config.backends(); b++) {
      if (listed[b] && !fleet.alive[b]) {
        listed[b] = false;
      }
    }
    publish();
    clients.onList(true, false);
  }

  /** Σ max(0, L_i − share_i) over the backends up after the event; a leaving backend's share is 0. */
  private long excessOverShare(boolean[] leaving) {
    long total = 0;
    long weights = 0;
    for (int b = 0; b < config.backends(); b++) {
      if (fleet.alive[b]) {
        total += fleet.connections[b];
        weights += leaving[b] ? 0 : fleet.weight[b];
      }
    }
    double excess = 0;
    for (int b = 0; b < config.backends(); b++) {
      if (fleet.alive[b]) {
        double share = leaving[b] ? 0 : (double) total * fleet.weight[b] / weights;
        excess += Math.max(0, fleet.connections[b] - share);
      }
    }
    return Math.round(excess);
  }

  // ---- the coordinators' list -------------------------------------------------------------------

  /** BackendRegistration.connections(): a write now if the last was an interval ago, else at its end. */
  private void countChanged(int b) {
    if (!fleet.alive[b] || writePending[b]) {
      return;
    }
    writePending[b] = true;
    schedule(Math.max(now + 1000, lastWriteUs[b] + config.loadReportMs() * 1000), WRITE, b);
  }

  /** The write: the registry, and so every client's list, shows the latest count (if it changed). */
  private void write(int b) {
    writePending[b] = false;
    if (!fleet.alive[b] || !listed[b] || fleet.connections[b] == published[b]) {
      return;
    }
    published[b] = fleet.connections[b];
    lastWriteUs[b] = now;
    publish();
    clients.onList(false, false);
  }

  /**
   * A new list for every client: the listed backends with their last written counts, in id order (as the
   * coordinators serve it; the policies then find their candidates sorted already).
   */
  private void publish() {
    List<BackendRecord> records = new ArrayList<>(config.backends());
    int choosable = 0;
    for (int b : fleet.idOrder()) {
      if (listed[b]) {
        BackendRecord r = records(b);
        records.add(r);
        choosable += r.choosable() ? 1 : 0;
      }
    }
    list = List.copyOf(records);
    choosableListed = choosable;
    epoch++;
    // random and least-loaded selectors hold no per-client state: one per snapshot serves every client
    shared = config.policy() == Policy.ROUND_ROBIN ? null : config.policy().selector(list, policyRandom);
  }

  /** Backend {@code b}'s record with its last written count; made anew only when the count changed. */
  private BackendRecord records(int b) {
    BackendRecord r = recordCache[b];
    if (r == null || r.connections() != published[b]) {
      r = fleet.record(b, published[b]);
      recordCache[b] = r;
    }
    return r;
  }

  // ---- figures ----------------------------------------------------------------------------------

  private void sample() {
    peaks.sample(fleet.arrivals);
    double worst = fleet.worstOverShare();
    imbalance.sample(now, now - eventUs, worst, fleet.connectedAlive() < config.clients() || worst > config.rebalanceThreshold());
  }

  private SimResult result(long wallMs) {
    int moved = 0;
    int movedTwice = 0;
    for (int c = 0; c < config.clients(); c++) {
      moved += clients.moves[c] > 0 ? 1 : 0;
      movedTwice += clients.moves[c] > 1 ? 1 : 0;
    }
    long connected = fleet.connectedAlive();
    long converged = imbalance.convergedMs(eventUs, endUs, SAMPLE_US);
    long reconnectMax = scenario == Scenario.KILL && reconnectedCount == affectedCount ? (lastReconnectUs - eventUs) / 1000 : -1;
    int after = scenario == Scenario.KILL ? config.backends() - (int) Math.round(config.backends() * config.killFraction())
        : config.backends();
    return new SimResult(scenario, config.policy().wire(), config.clients(), backendsBefore, after, imbalance.checkpoints(),
        converged, minMoves, counts.plannedMoves, failovers, moved, movedTwice, peaks.perSecond(), peaks.perSample(), affectedCount,
        reconnectMax, counts.attempts, counts.failedAttempts, counts.attemptsToDead, counts.attemptsToUnlisted,
        counts.attemptsToOwnLost, counts.askedToMove, counts.declinedMoves, counts.closedAtDeadline, counts.holdDownViolations,
        (int) (config.clients() - connected), events, wallMs);
  }

  // ---- for the glue -----------------------------------------------------------------------------

  long now() {
    return now;
  }

  void schedule(long timeUs, int kind, int index) {
    queue.push(timeUs, kind, index);
  }

  Mulberry32 policyRandom() {
    return policyRandom;
  }

  long connectLatencyUs() {
    return config.connectMinUs() + (long) (worldRandom.getAsDouble() * (config.connectMaxUs() - config.connectMinUs()));
  }

  List<BackendRecord> list() {
    return list;
  }

  int epoch() {
    return epoch;
  }

  Selector sharedSelector() {
    return shared;
  }

  boolean listed(int b) {
    return listed[b];
  }

  int publishedConnections(int b) {
    return published[b];
  }

  int choosableListed() {
    return choosableListed;
  }

  boolean listedChoosable(int b) {
    return listed[b];
  }

  /** What the run counted; the glue adds to it. */
  SimCounts counts() {
    return counts;
  }

  void countAttempt(int b, boolean toOwnLost) {
    counts.attempt(!fleet.alive[b], !listed[b], toOwnLost);
  }

  void countReconnect(int c) {
    failovers++;
    if (affected.get(c) && !reconnected.get(c)) {
      reconnected.set(c);
      reconnectedCount++;
      lastReconnectUs = now;
    }
  }
}
