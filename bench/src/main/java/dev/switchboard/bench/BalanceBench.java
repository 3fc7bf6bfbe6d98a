package dev.switchboard.bench;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.client.SwitchboardClientOptions;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Vertx;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How evenly real Java clients spread over backend-node JVMs, and how fast the spread recovers: a burst
 * of clients per policy, a scale-out 3 → 6 under load, a kill -9 of one of three nodes (pool 1 and 2),
 * and the restart of the killed node. Every count comes from the clients themselves
 * ({@code backends()}), not from the list (whose counts the backends coalesce to one a second). Each
 * case runs on a service of its own, so the bench node's own backend and earlier cases stay out of it.
 */
final class BalanceBench {

  /** A connection count within this × the mean counts as balanced (the backends' default rebalance threshold). */
  static final double BALANCED = 1.10;
  private static final Duration NODE_START = Duration.ofSeconds(120);

  /**
   * What to run and how big. {@code clientAge}: how long the clients have been open before the
   * scale-out and the kill, so they are past a rebalance hold-down (a backend asks no client connected
   * for less than that to move: 30 s by default once the rebalance branch is in).
   */
  record Settings(int burstClients, List<Integer> burstBackends, List<String> policies, int scaleClients,
      int killClients, List<String> nodeArgs, Duration clientAge) {
  }

  /** The kill rows and, when asked for, the restart rows (one of each per pool size). */
  record KillReport(String kill, String restart) {
  }

  private final BenchCluster cluster;
  private final Vertx vertx;
  private final Settings settings;

  BalanceBench(BenchCluster cluster, Vertx vertx, Settings settings) {
    this.cluster = cluster;
    this.vertx = vertx;
    this.settings = settings;
  }

  private String setting() {
    return "Clients are `SwitchboardClient`s sharing this bench JVM (one Vert.x, " + BenchMain.EVENT_LOOPS + " event loops; each client "
        + "with its own list stream and sockets); the coordinator, the backend-node JVMs and the fleet share this "
        + "machine's " + Runtime.getRuntime().availableProcessors() + " cores. Backend nodes run with their defaults"
        + (settings.nodeArgs().isEmpty() ? "" : " and `" + String.join(" ", settings.nodeArgs()) + "`")
        + " (rebalance on: a backend above " + BackendOptions.DEFAULT_REBALANCE_THRESHOLD + " × its fair share (unless `--node-args` says otherwise) for two rounds asks some clients to move). "
        + "Connections per backend are counted from the clients' own pools. Before the scale-out and the kill the "
        + "clients have been open " + settings.clientAge().toSeconds() + " s, past a rebalance hold-down of up to that.";
  }

  // ---- burst ----------------------------------------------------------------------------------

  /** Per backend count and policy: a burst of clients started within 1 s; the spread when all are open and 5 s later. */
  String burst() throws Exception {
    StringBuilder table = new StringBuilder("| backends | policy | all open after | max/mean when all open | max/mean 5 s later "
        + "| goal (5 s later) | planned moves | failovers | connections per backend 5 s later |\n|---|---|---|---|---|---|---|---|---|\n");
    StringBuilder notes = new StringBuilder();
    for (int backends : settings.burstBackends()) {
      String service = "burst-" + backends;
      try (Proc node = node("bench-burst-" + backends, "512m", service, backends);
           ListWatch watch = ListWatch.open(vertx, cluster.coordinatorUrl(), service)) {
        List<String> ids = List.copyOf(watch.await(backends + " backends of " + service, NODE_START,
            l -> l.size() == backends && l.values().stream().allMatch(b -> b.state() == BackendState.UP)).keySet());
        for (String policy : settings.policies()) {
          watch.await("no connections on " + service, Duration.ofSeconds(60), l -> ListWatch.connections(l) == 0);
          watch.reset();
          try (Fleet fleet = new Fleet(vertx, BenchMain.EVENT_LOOPS, settings.burstClients(), i -> options(service, policy, 1, i))) {
            long t0 = System.nanoTime();
            fleet.start(Duration.ofSeconds(1));
            fleet.awaitOpen(Duration.ofSeconds(180));
            double openS = (System.nanoTime() - t0) / 1e9;
            Fleet.Spread atOpen = fleet.spread(ids);
            Thread.sleep(5_000); // the rebalance rounds run on the backends' clock: the figure is "5 s later"
            Fleet.Spread later = fleet.spread(ids);
            Double goal = switch (policy) {
              case "least-loaded" -> 1.10;
              case "round-robin" -> 1.05;
              case "random" -> 1.15;
              default -> null;
            };
            table.append(String.format(Locale.ROOT, "| %d | %s | %.1f s | %.3f | %.3f | %s | %d | %d | %s |%n", backends, policy,
                openS, atOpen.ratio(), later.ratio(), goal == null ? "—" : verdict("%.3f", later.ratio(), goal, ""), fleet.moves(),
                fleet.failovers(), later));
            System.out.printf(Locale.ROOT, "balance burst: %,d %s clients over %d backends: open after %.1f s, max/mean %.3f (%s), "
                    + "5 s later %.3f (%s); %d moves, %d failovers%n", settings.burstClients(), policy, backends, openS,
                atOpen.ratio(), atOpen, later.ratio(), later, fleet.moves(), fleet.failovers());
            notes.append(falseAlarms(watch, null, policy + " over " + backends)).append(overfull(fleet, 1, policy + " over " + backends));
          }
        }
      }
    }
    return String.format(Locale.ROOT, "%,d clients started within 1 s (evenly spread starts) over the backends of one "
        + "backend-node JVM (`--instances 2` or `5`), per policy (`sticky` with key `user-i`; the others "
        + "keyless). max/mean of connections per backend when every client is open, and 5 s later. A pool of one. "
        + "Goals (5 s later): round-robin ≤ 1.05, least-loaded ≤ 1.10, random ≤ 1.15; sticky has none (the key "
        + "decides). %s%n%n%s%s", settings.burstClients(), setting(), table, notes);
  }

  // ---- scale-out ------------------------------------------------------------------------------

  /** Clients on 3 backends of one node; the node is scaled to 6; time until balanced, and who moved. */
  String scaleOut() throws Exception {
    int clients = settings.scaleClients();
    String service = "scale-out";
    try (Proc node = node("bench-scale-out", "1g", service, 3);
         ListWatch watch = ListWatch.open(vertx, cluster.coordinatorUrl(), service);
         Fleet fleet = new Fleet(vertx, BenchMain.EVENT_LOOPS, clients, i -> options(service, SwitchboardClientOptions.DEFAULT_POLICY, 1, i))) {
      String nodeId = node.await("backend node ready: \\d+ backends \\(node (\\S+)\\)", Duration.ofSeconds(5)).group(1);
      watch.await("3 backends of " + service, NODE_START, l -> l.size() == 3);
      watch.reset();
      // no burst here: starts spread at 2,000 a second
      fleet.start(Duration.ofMillis(Math.max(1_000, clients / 2)));
      fleet.awaitOpen(Duration.ofSeconds(300));
      long openedAt = System.nanoTime();
      List<String> three = List.copyOf(watch.backends().keySet());
      String unsettled = settle(fleet, three, 1, "scale-out");
      age(openedAt);
      watch.await(clients + " connections listed", Duration.ofSeconds(60), l -> ListWatch.connections(l) == clients);
      System.out.printf("balance scale-out: %,d clients on 3 backends (%s); scaling to 6…%n", clients, fleet.spread(three));
      fleet.resetCounts();
      long t0 = System.nanoTime();
      String answer = scale(nodeId, 6);
      Map<String, BackendRecord> six = watch.await("6 backends of " + service, NODE_START,
          l -> l.size() == 6 && l.values().stream().allMatch(b -> b.state() == BackendState.UP));
      long appearedAt = System.nanoTime();
      List<String> ids = List.copyOf(six.keySet());
      Fleet.Spread atAppear = fleet.spread(ids);
      double minimum = atAppear.excess();
      long balancedAt = fleet.awaitBalanced(ids, 1, BALANCED, Duration.ofSeconds(300));
      int movedAtBalance = fleet.clientsMoved(1);
      Thread.sleep(5_000); // more rounds run on the backends' clock: does anybody move again?
      Fleet.Spread end = fleet.spread(ids);
      int moved = fleet.clientsMoved(1);
      int twice = fleet.clientsMoved(2);
      String fromCall = balancedAt < 0 ? "not within 300 s" : String.format(Locale.ROOT, "%.1f s", (balancedAt - t0) / 1e9);
      String fromAppear = balancedAt < 0 ? "—" : String.format(Locale.ROOT, "%.1f s", (balancedAt - appearedAt) / 1e9);
      System.out.printf(Locale.ROOT, "balance scale-out: scale answered %s; 6 listed after %.1f s (%s); balanced %s after the call, "
              + "%s after they appeared; %d clients moved (%d when balanced, %d moves; minimum %.0f), %d more than once, "
              + "%d failovers (%s); 5 s later %.3f (%s)%n", answer, (appearedAt - t0) / 1e9, atAppear, fromCall, fromAppear, moved,
          movedAtBalance, fleet.moves(), minimum, twice, fleet.failovers(), fleet.failoverReasons(), end.ratio(), end);
      return String.format(Locale.ROOT, "%,d clients (round-robin, the default; a pool of one) on 3 backends of one node; the "
          + "node is scaled to 6 through the admin API. Time until every backend holds ≤ 1.10 × the mean with every "
          + "client connected, from the scale call and from the moment the list shows all six; clients moved "
          + "(planned moves, counted 5 s after balance) against the minimum, Σ max(0, Lᵢ − mean) over the six when "
          + "they appeared; clients moved more than once (goal 0). %s%n%n"
          + "| clients | balanced after (from the call) | from the 6 listed | clients moved | minimum | moved / minimum "
          + "| moved more than once (goal 0) | failovers | max/mean 5 s after | connections per backend then |%n"
          + "|---|---|---|---|---|---|---|---|---|---|%n"
          + "| %,d | %s | %s | %,d | %,.0f | %.2f× | %d | %d | %.3f | %s |%n%s",
          clients, setting(), clients, fromCall, fromAppear, moved, minimum, moved / minimum, twice, fleet.failovers(),
          end.ratio(), end, unsettled + falseAlarms(watch, null, "scale-out") + overfull(fleet, 1, "scale-out"));
    }
  }

  private String scale(String nodeId, int instances) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(cluster.coordinatorUrl() + "/v1/admin/nodes/" + nodeId + "/scale"))
        .header("Authorization", "Bearer " + BenchCluster.ADMIN_TOKEN).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString("{\"instances\":" + instances + "}")).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("scale of " + nodeId + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  // ---- kill -9 and restart --------------------------------------------------------------------

  /** Per pool size: one of three single-backend nodes killed under load; then, if asked, started again. */
  KillReport killAndRestart(boolean restart) throws Exception {
    StringBuilder kill = new StringBuilder("| pool | clients | affected (primary on the killed) | process gone ms "
        + "| noticed p50 ms | connected elsewhere p50 ms | p99 ms | max ms | goal (max) | client's own part max ms "
        + "| not recovered in 60 s | attempts to the killed (goal 0) | survivors' max/mean (goal ≤ 1.10) | failovers "
        + "| coordinator's remove ms |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    StringBuilder again = new StringBuilder("| pool | clients | balanced after (from the restart) | from its backend listed "
        + "(goal ≤ 10 s) | clients moved | moved more than once | failovers | max/mean at the end | connections per backend |\n"
        + "|---|---|---|---|---|---|---|---|---|\n");
    StringBuilder killNotes = new StringBuilder();
    StringBuilder againNotes = new StringBuilder();
    for (int pool : List.of(1, 2)) {
      killOnce(pool, restart, kill, again, killNotes, againNotes);
    }
    int clients = settings.killClients();
    String killBody = String.format(Locale.ROOT, "%,d clients (round-robin, the default options) over three backend-node "
        + "JVMs of one backend each; one node is killed (kill -9). Per client whose primary connection was on it: "
        + "time from the kill until its failover event (noticed) and until its primary is on a live backend "
        + "(pool 1: a new connection, within the spread window `failoverRate` sets; pool 2: the standby takes over); "
        + "the client's own part is the time from its notice to its recovery. Process gone: when the bench reaped "
        + "the killed JVM; the kernel closes its sockets as it tears the process down, so notices cannot come much "
        + "earlier. "
        + "Attempts to the killed backend after the kill, by any client (`connectHandler`); survivors' max/mean "
        + "once every affected client recovered and the coordinator listed the removal; the coordinator's `remove` "
        + "at a list subscriber, same run. Goals: max ≤ 150 ms with pool 1, ≤ 20 ms with pool 2. Supersedes the "
        + "kill -9 rows of `failover` (same method, on a service of its own, more clients, more figures); "
        + "`failover` still measures SIGSTOP. The node killed is the one whose backend holds the most primaries (with a pool "
        + "of 2 they need not follow the connections). %s%n%n%s%s", clients, setting(), kill, killNotes);
    String restartBody = !restart ? null : String.format(Locale.ROOT, "Right after the kill above, the killed node is "
        + "started again (a new JVM with the same options, so a new backend id); time until every backend holds ≤ 1.10 × the "
        + "mean with every client connected, from the restart command (includes the JVM start and cluster join) and from "
        + "the moment the list shows its backend (the goal: ≤ 10 s). With pool 2 every connection counts (two per "
        + "client). %s%n%n%s%s", setting(), again, againNotes);
    return new KillReport(killBody, restartBody);
  }

  private void killOnce(int pool, boolean restart, StringBuilder kill, StringBuilder again, StringBuilder killNotes,
      StringBuilder againNotes) throws Exception {
    int clients = settings.killClients();
    String service = "kill-pool-" + pool;
    String label = "bench-balance-kill-" + pool;
    try (Proc a = node(label + "-a", "384m", service, 1);
         Proc b = node(label + "-b", "384m", service, 1);
         Proc c = node(label + "-c", "384m", service, 1);
         ListWatch watch = ListWatch.open(vertx, cluster.coordinatorUrl(), service);
         Fleet fleet = new Fleet(vertx, BenchMain.EVENT_LOOPS, clients, i -> options(service, SwitchboardClientOptions.DEFAULT_POLICY, pool, i))) {
      Map<String, Proc> nodes = new java.util.LinkedHashMap<>();
      for (Proc p : List.of(a, b, c)) {
        nodes.put(backendId(p), p);
      }
      List<String> three = List.copyOf(nodes.keySet());
      watch.await("the three backends of " + service, NODE_START, l -> l.size() == 3);
      watch.reset();
      fleet.start(Duration.ofSeconds(1));
      fleet.awaitOpen(Duration.ofSeconds(180));
      long openedAt = System.nanoTime();
      killNotes.append(settle(fleet, three, pool, "kill, pool " + pool));
      age(openedAt);
      // the node whose backend holds the most primaries: with a pool of 2 the primaries need not follow the connections
      Fleet.Spread primaries = fleet.primaries(three);
      String victimId = three.stream().max(java.util.Comparator.comparing(id -> primaries.counts().get(id))).orElseThrow();
      Proc victim = nodes.get(victimId);
      List<String> survivors = three.stream().filter(id -> !id.equals(victimId)).toList();
      List<Integer> affected = fleet.primariesOn(victimId);
      System.out.printf("balance kill pool %d: connections %s, primaries %s on %s; killing %s%n", pool, fleet.spread(three), primaries,
          three, victimId);
      fleet.resetCounts();
      long t0 = fleet.lose(victimId);
      victim.kill9();
      double goneMs = (System.nanoTime() - t0) / 1e6;
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      while ((fleet.recovered(affected).length < affected.size() || watch.removedAt(victimId, t0) == 0) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      long[] recovered = fleet.recovered(affected);
      Stats noticed = Stats.of(fleet.noticed(affected), fleet.noticed(affected).length);
      Stats s = Stats.of(recovered, recovered.length);
      long[] ownPart = fleet.noticedToRecovered(affected);
      Stats own = Stats.of(ownPart, ownPart.length);
      long attempts = fleet.attemptsTo(victimId, t0);
      Fleet.Spread after = fleet.spread(survivors);
      double removeMs = watch.removedAt(victimId, t0) == 0 ? Double.NaN : (watch.removedAt(victimId, t0) - t0) / 1e6;
      double goal = pool == 1 ? 150 : 20;
      kill.append(String.format(Locale.ROOT, "| %d | %,d | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %s | %.0f | %d | %d | %.3f (%s) | %d | %.0f |%n",
          pool, clients, affected.size(), goneMs, noticed.p50(), s.p50(), s.p99(), s.max(), verdict("%.0f", s.max(), goal, " ms"),
          own.max(), affected.size() - recovered.length, attempts, after.ratio(), after, fleet.failovers(), removeMs));
      System.out.printf(Locale.ROOT, "balance kill pool %d: %d affected; process gone after %.0f ms; noticed p50 %.0f ms; "
              + "elsewhere p50 %.0f, p99 %.0f, max %.0f ms (own part max %.0f ms); "
              + "%d not recovered; %d attempts to the killed; survivors %.3f (%s); %d failovers (%s); remove at %.0f ms%n",
          pool, affected.size(), goneMs, noticed.p50(), s.p50(), s.p99(), s.max(), own.max(), affected.size() - recovered.length, attempts,
          after.ratio(), after, fleet.failovers(), fleet.failoverReasons(), removeMs);
      System.out.println("  removals seen by the list subscriber: " + watch.removals().stream()
          .map(r -> String.format(Locale.ROOT, "%s %s at %+.0f ms", r.id(), r.reason(), (r.at() - t0) / 1e6)).toList());
      long[] dialed = fleet.attemptDelays(t0);
      Stats dial = Stats.of(dialed, dialed.length);
      System.out.printf(Locale.ROOT, "  attempts dialled after the kill: p50 %.0f, max %.0f ms (the rest of 'elsewhere' is the "
          + "handshake and the welcome, on survivors that share the cores)%n", dial.p50(), dial.max());
      System.out.println("  attempts to the killed backend, ms after the kill: " + fleet.attemptTimes(victimId, t0)
          + "; attempts to any backend since the kill: " + fleet.attemptsSince(t0) + " (" + affected.size() + " clients affected)");
      killNotes.append(falseAlarms(watch, victimId, "kill, pool " + pool)).append(overfull(fleet, pool, "kill, pool " + pool));
      if (restart) {
        watch.reset();
        restartOnce(pool, label + "-restarted", service, survivors, watch, fleet, again);
        againNotes.append(falseAlarms(watch, victimId, "restart, pool " + pool)).append(overfull(fleet, pool, "restart, pool " + pool));
      }
    }
  }

  private void restartOnce(int pool, String label, String service, List<String> survivors, ListWatch watch, Fleet fleet,
      StringBuilder again) throws Exception {
    fleet.resetCounts();
    long t0 = System.nanoTime();
    try (Proc restarted = node(label, "384m", service, 1)) {
      String id = backendId(restarted);
      watch.await(id, NODE_START, l -> l.containsKey(id) && l.get(id).state() == BackendState.UP);
      long listedAt = System.nanoTime();
      List<String> ids = new ArrayList<>(survivors);
      ids.add(id);
      long balancedAt = fleet.awaitBalanced(ids, pool, BALANCED, Duration.ofSeconds(120));
      Fleet.Spread end = fleet.spread(ids);
      String fromRestart = balancedAt < 0 ? "not within 120 s" : String.format(Locale.ROOT, "%.1f s", (balancedAt - t0) / 1e9);
      String fromListed = balancedAt < 0 ? "—" : verdict("%.1f", (balancedAt - listedAt) / 1e9, 10, " s");
      again.append(String.format(Locale.ROOT, "| %d | %,d | %s | %s | %d | %d | %d | %.3f | %s |%n", pool, fleet.size(), fromRestart,
          fromListed, fleet.clientsMoved(1), fleet.clientsMoved(2), fleet.failovers(), end.ratio(), end));
      System.out.printf(Locale.ROOT, "balance restart pool %d: listed after %.1f s; balanced %s after the restart, %s after listed; "
              + "%d clients moved (%d moves), %d more than once, %d failovers; %s%n", pool, (listedAt - t0) / 1e9, fromRestart,
          fromListed, fleet.clientsMoved(1), fleet.moves(), fleet.clientsMoved(2), fleet.failovers(), end);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private Proc node(String label, String heap, String service, int instances) throws Exception {
    return cluster.serviceNode(label, heap, service, instances, settings.nodeArgs());
  }

  /** Sleeps until the clients opened at {@code openedAt} are {@link Settings#clientAge} old. */
  private void age(long openedAt) throws InterruptedException {
    long left = openedAt + settings.clientAge().toNanos() - System.nanoTime();
    if (left > 0) {
      System.out.printf(Locale.ROOT, "balance: letting the clients age %.0f s more (past a rebalance hold-down)%n", left / 1e9);
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /**
   * Before a measurement: waits up to 90 s for every client's whole pool on {@code ids}, within
   * {@link #BALANCED} × the mean (the rebalance evens out a start the detection disturbed); a note when
   * they never were, or "".
   */
  private static String settle(Fleet fleet, List<String> ids, int pool, String when) throws InterruptedException {
    if (fleet.awaitBalanced(ids, pool, BALANCED, Duration.ofSeconds(90)) >= 0) {
      return "";
    }
    String note = String.format(Locale.ROOT, "- %s: the clients were not within %.2f × the mean 90 s after they opened (%s); measured from there.%n",
        when, BALANCED, fleet.spread(ids));
    System.out.print("balance: " + note.substring(2));
    return note;
  }

  /**
   * A note when the list removed backends whose nodes were alive (false alarms of the detection on this
   * loaded machine: their clients fail over, which skews the row), or "" when it did not.
   */
  private static String falseAlarms(ListWatch watch, String killed, String when) {
    List<ListWatch.Removal> removals = watch.removals().stream().filter(r -> !r.id().equals(killed)).toList();
    if (removals.isEmpty()) {
      return "";
    }
    Map<String, Long> reasons = new java.util.TreeMap<>(removals.stream()
        .collect(java.util.stream.Collectors.groupingBy(ListWatch.Removal::reason, java.util.stream.Collectors.counting())));
    String note = String.format(Locale.ROOT, "- %s: the list removed backends whose nodes were alive %d times (%s), "
        + "and their clients failed over; the row's figures include it.%n", when, removals.size(), reasons);
    System.out.print("balance: " + note.substring(2));
    return note;
  }

  /** A note when some clients hold more connections than their pool asks for (they should never), or "". */
  private static String overfull(Fleet fleet, int pool, String when) {
    int n = fleet.overfull(pool);
    if (n == 0) {
      return "";
    }
    String note = String.format(Locale.ROOT, "- %s: %d clients held more than their pool of %d connections (counted in the spread).%n",
        when, n, pool);
    System.out.print("balance: " + note.substring(2));
    return note;
  }

  /** The id of a single-backend node's backend, from its log. */
  private static String backendId(Proc node) throws InterruptedException {
    return node.await("switchboard backend (\\S+-0): ws://", Duration.ofSeconds(5)).group(1);
  }

  private SwitchboardClientOptions options(String service, String policy, int pool, int i) {
    SwitchboardClientOptions options = new SwitchboardClientOptions().setCoordinators(List.of(cluster.coordinatorUrl()))
        .setService(service).setPolicy(policy).setConnections(pool);
    return policy.equals("sticky") ? options.setKey("user-" + i) : options;
  }

  /** {@code value} against its goal (at most): "1.032 ≤ 1.05 ✓" or "180 ms > 150 ms ✗". */
  static String verdict(String format, double value, double goal, String unit) {
    String g = String.format(Locale.ROOT, goal == Math.rint(goal) ? "%.0f" : "%.2f", goal);
    return String.format(Locale.ROOT, format, value) + unit + (value <= goal ? " ≤ " + g + unit + " ✓" : " > " + g + unit + " ✗");
  }
}
