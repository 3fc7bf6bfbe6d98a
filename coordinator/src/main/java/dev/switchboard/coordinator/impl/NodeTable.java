package dev.switchboard.coordinator.impl;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The backend nodes as the admin API shows them: one row per node with its hosts, ports, instance
 * count, load, liveness and uptime, built from the registry's records; and the resolution of a node id
 * or a unique prefix of one. Pure: the caller passes the records, each node's status and the time.
 */
final class NodeTable {

  /** What the coordinator knows of a node beyond its records. */
  record NodeStatus(NodeLiveness.State health, long silentMs, long startedAt) {

    /** A node known only by its records: alive, start time unknown. */
    static final NodeStatus UNKNOWN = new NodeStatus(NodeLiveness.State.ALIVE, -1, -1);
  }

  /** How a node id given to the admin API resolves. */
  sealed interface Resolution {
  }

  /** The one node the id names, in full, or of which it is a unique prefix. */
  record Found(String node) implements Resolution {
  }

  /** A prefix of more than one node. */
  record Ambiguous(String given, List<String> nodes) implements Resolution {
  }

  /** No node with a record has this id or prefix (it may still be a node with no backend: the caller decides). */
  record Unknown(String given) implements Resolution {
  }

  /** Short ids, as the page and the backend ids show them. */
  static final int SHORT_ID = 8;

  private NodeTable() {
  }

  /** Resolves {@code given} among {@code nodes}: an exact id first, else a unique prefix (case-insensitive). */
  static Resolution resolve(String given, Set<String> nodes) {
    if (nodes.contains(given)) {
      return new Found(given);
    }
    String prefix = given.toLowerCase(Locale.ROOT);
    List<String> matches = new ArrayList<>(new TreeSet<>(nodes).stream()
        .filter(n -> !prefix.isEmpty() && n.toLowerCase(Locale.ROOT).startsWith(prefix)).toList());
    return switch (matches.size()) {
      case 0 -> new Unknown(given);
      case 1 -> new Found(matches.get(0));
      default -> new Ambiguous(given, List.copyOf(matches));
    };
  }

  /** The node ids that host at least one record. */
  static Set<String> nodes(Iterable<BackendRecord> records) {
    Set<String> nodes = new TreeSet<>();
    records.forEach(r -> nodes.add(r.node()));
    return nodes;
  }

  /** One JSON row per node hosting a record, sorted by node id. */
  static JsonArray describe(Iterable<BackendRecord> records, Function<String, NodeStatus> status, long nowMs) {
    Map<String, List<BackendRecord>> byNode = new TreeMap<>();
    records.forEach(r -> byNode.computeIfAbsent(r.node(), n -> new ArrayList<>()).add(r));
    JsonArray out = new JsonArray();
    byNode.forEach((node, backends) -> out.add(row(node, backends, status.apply(node), nowMs)));
    return out;
  }

  private static JsonObject row(String node, List<BackendRecord> backends, NodeStatus status, long nowMs) {
    backends.sort((a, b) -> a.id().compareTo(b.id()));
    Set<String> hosts = new TreeSet<>();
    Set<Integer> ports = new TreeSet<>();
    int up = 0;
    long connections = 0;
    long capacity = 0;
    long oldest = Long.MAX_VALUE;
    for (BackendRecord r : backends) {
      URI url = URI.create(r.url());
      hosts.add(url.getHost());
      ports.add(url.getPort() >= 0 ? url.getPort() : r.url().startsWith("wss:") ? 443 : 80);
      up += r.state() == BackendState.UP ? 1 : 0;
      connections += r.connections();
      capacity += r.capacity();
      oldest = Math.min(oldest, r.startedAt());
    }
    JsonObject row = new JsonObject()
        .put("node", node)
        .put("short", node.length() > SHORT_ID ? node.substring(0, SHORT_ID) : node)
        .put("health", status.health().name().toLowerCase(Locale.ROOT))
        .put("hosts", new JsonArray(List.copyOf(hosts)))
        .put("ports", new JsonArray(List.copyOf(ports)))
        .put("instances", backends.size())
        .put("up", up)
        .put("draining", backends.size() - up)
        .put("connections", connections)
        .put("capacity", capacity)
        .put("backends", new JsonArray(backends.stream().map(BackendRecord::id).toList()));
    if (status.silentMs() >= 0) {
      row.put("silentMs", status.silentMs());
    }
    // a node that does not send its start time (an older backend) is at least as old as its oldest backend
    long startedAt = status.startedAt() >= 0 ? status.startedAt() : oldest;
    if (startedAt > 0 && startedAt <= nowMs) {
      row.put("startedAt", startedAt).put("uptimeMs", nowMs - startedAt);
    }
    return row;
  }
}
