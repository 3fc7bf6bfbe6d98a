package dev.switchboard.it;

import dev.switchboard.client.RequestException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Switchboard on several hosts: each host is a network namespace on a bridge (see {@link Netns}) — two
 * coordinator hosts, three backend hosts, one client host whose Java clients ({@link NetnsFleet}) reach
 * the others over the bridge only. Nodes take {@code --cluster-host}, {@code --cluster-members},
 * {@code --public-host} and the cluster secret as the README tells a user. A partition takes one
 * host's link down; all but the last are shorter than Hazelcast's member timeout (10 s). See
 * docs/multi-host.md.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class MultiHostIT {

  private static final Duration START = Duration.ofSeconds(120);
  private static final Duration LEAVE_BOUND = Duration.ofSeconds(3);
  private static final Duration RETURN_BOUND = Duration.ofSeconds(5);
  /** Hazelcast's member timeout (ClusterOptions.DEFAULT_MAX_NO_HEARTBEAT_SECONDS). */
  private static final Duration MEMBER_TIMEOUT = Duration.ofSeconds(10);
  /** After a split: Hazelcast's merge check (every 10 s) plus the 5 s record refresh, plus slack. */
  private static final Duration MERGE_BOUND = Duration.ofSeconds(25);
  private static final int CLIENTS = 12;
  private static final int PUBLISHERS = 3;
  private static final String ROOM = "lobby";
  private static final List<String> COORDINATORS = List.of("c1", "c2");
  private static final List<String> BACKENDS = List.of("b1", "b2", "b3");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  private static Netns net;
  /** Backend host → its backend's id. */
  private static final Map<String, String> backendIds = new HashMap<>();
  private static FleetControl fleet;

  @BeforeAll
  static void start() throws Exception {
    assumeTrue(Netns.available(), "needs root and a working `ip netns` (network namespaces)");
    net = new Netns();
    int last = 11;
    for (String host : COORDINATORS) {
      net.host(host, last++);
    }
    last = 21;
    for (String host : BACKENDS) {
      net.host(host, last++);
    }
    net.host("client", 31);
    String secret = UUID.randomUUID().toString();
    String members = net.address("c1") + ":5701," + net.address("c2") + ":5701";
    Map<String, JvmProcess> started = new HashMap<>();
    for (String host : COORDINATORS) {
      started.put(host, net.start(host, "netns-" + host, "switchboard.coordinator.jar",
          "--port", "8080", "--keep-alive-ms", "1000",
          "--cluster-name", "sb-netns", "--cluster-host", net.address(host), "--cluster-members", members,
          "--cluster-secret", secret));
    }
    for (String host : COORDINATORS) {
      started.get(host).awaitLine("coordinator ready", START);
    }
    for (String host : BACKENDS) {
      started.put(host, net.start(host, "netns-" + host, "switchboard.backend.jar",
          "--instances", "1", "--port-base", "9000", "--public-host", net.address(host), "--rebalance", "false",
          "--cluster-name", "sb-netns", "--cluster-host", net.address(host), "--cluster-members", members,
          "--cluster-secret", secret));
    }
    for (String host : BACKENDS) {
      backendIds.put(host, started.get(host).awaitLine("switchboard backend (\\S+-0): ws://", START).group(1));
    }
    for (String host : COORDINATORS) {
      Http.await(host + " lists the three backends", START, () -> listed(host).containsAll(backendIds.values()));
    }
    String urls = String.join(",", COORDINATORS.stream().map(MultiHostIT::url).toList());
    JvmProcess clients = net.startMain("client", "netns-fleet", NetnsFleet.class,
        urls, String.valueOf(CLIENTS), String.valueOf(PUBLISHERS), ROOM);
    clients.awaitLine("^ready " + CLIENTS, START);
    fleet = new FleetControl(clients, CLIENTS);
  }

  @AfterAll
  static void stop() {
    if (net == null) {
      return;
    }
    List<String> namespaces = new ArrayList<>();
    for (String host : List.of("c1", "c2", "b1", "b2", "b3", "client")) {
      namespaces.add(net.namespace(host));
    }
    net.close();
    namespaces.forEach(ns -> assertFalse(Netns.exists(ns), "namespace " + ns + " left behind"));
  }

  @Test
  @Order(1)
  void aPartitionedBackendHostLeavesTheListItsClientsMoveAndItReturnsAfterTheHeal() throws Exception {
    Map<Integer, FleetControl.Status> before = fleet.status();
    String host = busiest(before);
    String lost = backendIds.get(host);
    Set<Integer> displaced = clientsOn(before, lost);
    int mark = fleet.mark();

    long cut = System.nanoTime();
    net.partition(host);
    for (String c : COORDINATORS) {
      awaitWithin(c + " drops " + lost, cut, LEAVE_BOUND, () -> !listed(c).contains(lost));
    }
    Http.await("the clients of " + lost + " on other backends", Duration.ofSeconds(10), () -> {
      Map<Integer, FleetControl.Status> now = fleet.status();
      return displaced.stream().allMatch(i -> !now.get(i).backend().equals(lost) && !now.get(i).backend().equals("-"));
    });
    long up = System.nanoTime();
    net.heal(host);
    for (String c : COORDINATORS) {
      awaitWithin(c + " lists " + lost + " again", up, RETURN_BOUND, () -> listed(c).contains(lost));
    }
    for (FleetControl.Event e : fleet.since(mark, "failover", "move")) {
      assertTrue(displaced.contains(e.client()), "client " + e.client() + " on " + before.get(e.client())
          + " moved although its backend stayed: " + String.join(" ", e.words()));
    }
  }

  @Test
  @Order(2)
  void aPartitionedCoordinatorHostLeavesClientsConnectedFollowingTheOther() throws Exception {
    Map<Integer, FleetControl.Status> before = fleet.status();
    String cut = before.values().stream().anyMatch(s -> s.coordinator().equals(url("c1"))) ? "c1" : "c2";
    String other = cut.equals("c1") ? "c2" : "c1";
    int mark = fleet.mark();
    net.partition(cut);
    long deadline = System.nanoTime() + Duration.ofSeconds(8).toNanos();
    boolean followed = false;
    while (!followed && System.nanoTime() < deadline) {
      assertTrue(listed(other).containsAll(backendIds.values()), other + " stopped listing a backend during the partition");
      followed = fleet.status().values().stream().allMatch(s -> s.coordinator().equals(url(other)));
      Thread.sleep(100);
    }
    net.heal(cut);
    assertTrue(followed, "clients still follow " + cut + " 8 s into its partition: " + fleet.status());
    Http.await(cut + " lists every backend again", Duration.ofSeconds(10), () -> listed(cut).containsAll(backendIds.values()));
    Map<Integer, FleetControl.Status> after = fleet.status();
    for (int i = 0; i < CLIENTS; i++) {
      assertEquals(before.get(i).backend(), after.get(i).backend(), "client " + i + " changed backend");
    }
    assertEquals(List.of(), fleet.since(mark, "failover", "move").stream().map(e -> String.join(" ", e.words())).toList(),
        "no client moves when a coordinator is cut off");
  }

  @Test
  @Order(3)
  void roomTrafficThroughPartitionsLosesNoAckedMessageAndRepeatsNoSeq() throws Exception {
    int mark = fleet.mark();
    int perPublisher = 150;
    fleet.send("publish " + perPublisher + " 80");
    Thread.sleep(1_500);
    // a publisher's backend: its unacked publishes go again, with the same ids, from the next backend
    String publisherHost = hostOf(fleet.status().get(0).backend());
    String backend = backendIds.get(publisherHost);
    cutAndHeal(publisherHost, () -> !listed("c1").contains(backend), 2_000, () -> listed("c1").contains(backend));
    // a data member: the room operations it owns wait for it, the others go on at the other coordinator
    cutAndHeal("c2", () -> true, 5_000, () -> listed("c2").containsAll(backendIds.values()));
    fleet.process().awaitLine("^publish-done ", Duration.ofSeconds(90));
    List<FleetControl.Event> acks = fleet.since(mark, "ack");
    // a publish unanswered for the client's requestTimeoutMs (10 s) fails with "timeout": not acked, so not
    // promised; it may still have been stored (once: checked below). Any other failure is a bug.
    List<String> nacks = fleet.since(mark, "nack").stream().map(e -> String.join(" ", e.words())).toList();
    assertEquals(List.of(), nacks.stream().filter(n -> !n.split(" ")[3].equals(RequestException.TIMEOUT)).toList());
    System.out.println("MultiHostIT: " + acks.size() + " publishes acked, " + nacks.size() + " timed out");
    assertEquals(PUBLISHERS * perPublisher, acks.size() + nacks.size());
    Map<Long, String> ackedBySeq = new HashMap<>();
    for (FleetControl.Event a : acks) {
      String earlier = ackedBySeq.put(Long.parseLong(a.words()[3]), a.words()[2]);
      assertTrue(earlier == null, "seq " + a.words()[3] + " acked for " + earlier + " and " + a.words()[2]);
    }
    Http.await("every client has every acked message", Duration.ofSeconds(30), () -> {
      Map<Integer, Set<Long>> seen = new HashMap<>();
      fleet.since(mark, "msg").forEach(m -> seen.computeIfAbsent(m.client(), k -> new HashSet<>()).add(Long.parseLong(m.words()[2])));
      return seen.size() == CLIENTS && seen.values().stream().allMatch(s -> s.containsAll(ackedBySeq.keySet()));
    });
    Map<Long, String> deliveredBySeq = new HashMap<>();
    Map<String, Long> seqByData = new HashMap<>();
    Map<Integer, Long> lastSeq = new HashMap<>();
    for (FleetControl.Event m : fleet.since(mark, "msg")) {
      long seq = Long.parseLong(m.words()[2]);
      String data = m.words()[3];
      Long previous = lastSeq.put(m.client(), seq);
      assertTrue(previous == null || seq > previous,
          "client " + m.client() + " got seq " + seq + " after " + previous + " (twice, or out of order)");
      Long stored = seqByData.putIfAbsent(data, seq);
      assertTrue(stored == null || stored == seq, data + " delivered at seq " + stored + " and at " + seq);
      String other = deliveredBySeq.putIfAbsent(seq, data);
      assertTrue(other == null || other.equals(data), "seq " + seq + " delivered as " + other + " and as " + data);
      String acked = ackedBySeq.get(seq);
      assertTrue(acked == null || acked.equals(data), "seq " + seq + " acked for " + acked + " but delivered as " + data);
    }
  }

  @Test
  @Order(4)
  void aBackendHostCutOffPastHazelcastsMemberTimeoutIsListedAgainAfterTheMerge() throws Exception {
    Map<Integer, FleetControl.Status> before = fleet.status();
    String host = busiest(before);
    String lost = backendIds.get(host);
    Set<Integer> displaced = clientsOn(before, lost);
    int mark = fleet.mark();
    net.partition(host);
    try {
      // past the 10 s member timeout: both sides drop each other, the coordinators delete its record
      Thread.sleep(MEMBER_TIMEOUT.plusSeconds(3).toMillis());
    } finally {
      net.heal(host);
    }
    long up = System.nanoTime();
    for (String c : COORDINATORS) {
      awaitWithin(c + " lists " + lost + " after the merge", up, MERGE_BOUND, () -> listed(c).contains(lost));
    }
    for (FleetControl.Event e : fleet.since(mark, "failover", "move")) {
      assertTrue(displaced.contains(e.client()), "client " + e.client() + " on " + before.get(e.client())
          + " moved although its backend stayed: " + String.join(" ", e.words()));
    }
  }

  /** Cuts a host off until {@code gone} holds (or 4 s), holds the cut {@code holdMs} more, heals it and awaits {@code back}. */
  private static void cutAndHeal(String host, Http.CheckedCondition gone, long holdMs, Http.CheckedCondition back)
      throws Exception {
    net.partition(host);
    try {
      Http.await(host + " cut off", Duration.ofSeconds(4), gone);
      Thread.sleep(holdMs); // traffic goes on while the host is away
    } finally {
      net.heal(host);
    }
    Http.await(host + " back", Duration.ofSeconds(10), back);
  }

  /** The backend host whose backend has the most clients. */
  private static String busiest(Map<Integer, FleetControl.Status> status) {
    String best = null;
    int most = 0;
    for (String host : BACKENDS) {
      int n = clientsOn(status, backendIds.get(host)).size();
      if (n > most) {
        best = host;
        most = n;
      }
    }
    assertTrue(best != null, "no client on any backend: " + status);
    return best;
  }

  private static String hostOf(String backendId) {
    return backendIds.entrySet().stream().filter(e -> e.getValue().equals(backendId)).map(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new AssertionError("no host runs backend " + backendId));
  }

  private static Set<Integer> clientsOn(Map<Integer, FleetControl.Status> status, String backend) {
    Set<Integer> out = new HashSet<>();
    status.forEach((i, s) -> {
      if (s.backend().equals(backend)) {
        out.add(i);
      }
    });
    return out;
  }

  /** Awaits {@code condition}, failing unless it holds within {@code bound} of {@code since} (nanoTime). */
  private static void awaitWithin(String what, long since, Duration bound, Http.CheckedCondition condition) throws Exception {
    Http.await(what, bound.plusSeconds(10), condition);
    Duration took = Duration.ofNanos(System.nanoTime() - since);
    System.out.println("MultiHostIT: " + what + " after " + took.toMillis() + " ms");
    assertTrue(took.compareTo(bound) <= 0, what + " took " + took.toMillis() + " ms, more than " + bound.toMillis() + " ms");
  }

  private static String url(String coordinatorHost) {
    return "http://" + net.address(coordinatorHost) + ":8080";
  }

  /** The backend ids a coordinator lists now; empty when it does not answer within a second. */
  private static Set<String> listed(String coordinatorHost) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url(coordinatorHost) + "/v1/backends"))
          .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
      Set<String> ids = new HashSet<>();
      new JsonObject(response.body()).getJsonArray("backends").forEach(b -> ids.add(((JsonObject) b).getString("id")));
      return ids;
    } catch (Exception e) {
      return Set.of();
    }
  }
}
