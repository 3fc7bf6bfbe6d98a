package dev.switchboard.coordinator.impl;

import dev.switchboard.cluster.ClusterSigner;
import dev.switchboard.coordinator.CoordinatorOptions;
import dev.switchboard.coordinator.impl.NodeLiveness.State;
import dev.switchboard.coordinator.impl.NodeLiveness.Transition;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.InvalidRecordException;
import dev.switchboard.model.RemoveReason;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The rule of the list: a registry record is listed while its node is not expired and it is not
 * quarantined (clients reported it unreachable and this coordinator's own probe failed too), flagged
 * {@code suspect} while its node is suspect. Takes registry changes, heartbeats, client reports, probe
 * outcomes and clock ticks, and emits each change of the view to a sink. Knows nothing of HTTP; the
 * cluster comes in as {@link Cluster}, the probe as a {@link Probe}, the clock as a {@link LongSupplier}
 * of nanoseconds. Confined to the coordinator's event loop.
 */
final class ViewReconciler {

  private static final Logger log = LoggerFactory.getLogger(ViewReconciler.class);
  private static final long NOTABLE_STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /**
   * After a backend answered a probe its reports are ignored this long: clients report a backend at
   * most once per 10 s each, so reporters that keep at it cost at most one probe per 10 s.
   */
  static final long PROBE_PASSED_QUIET_MS = 10_000;

  /** What the reconciler needs of the cluster. */
  interface Cluster {

    /** Vert.x node ids of the current members. */
    Set<String> members();

    /** Deletes a registry entry (a record of a node that is gone). */
    Future<Void> delete(String id);
  }

  /** How the coordinator checks a reported backend itself. */
  interface Probe {

    /**
     * Succeeds when the backend answers at its URL (a WebSocket upgrade, or a refusal such as 503 full
     * or draining: reachable either way); fails, saying why, when it cannot be reached in time.
     */
    Future<Void> reach(BackendRecord record);
  }

  private final BackendView view;
  private final CoordinatorMetrics metrics;
  private final Cluster cluster;
  private final Probe probe;
  private final ClusterSigner signer;
  private final LongSupplier clock;
  private final Consumer<ViewEvent> sink;
  private final NodeLiveness liveness;
  /** Whether the last check found most nodes silent at once (logged when it starts and ends). */
  private boolean panicking;
  private final OutlierDetector outliers;
  private final int reportThreshold;
  private final long quarantineMs;
  /** Every valid record in the cluster registry, as its backend wrote it but never suspect; the view shows the visible ones. */
  private final Map<String, BackendRecord> registry = new HashMap<>();
  private final Map<String, BackendRecord> registryView = Collections.unmodifiableMap(registry);
  private final Map<String, String> invalidLogged = new HashMap<>();
  /** When each known node joined the cluster (epoch ms), as its heartbeats say; only nodes that host a record. */
  private final Map<String, Long> nodeStartedAt = new HashMap<>();

  ViewReconciler(CoordinatorOptions options, BackendView view, CoordinatorMetrics metrics, Cluster cluster,
      Probe probe, LongSupplier clock, Consumer<ViewEvent> sink) {
    this(options, view, metrics, cluster, probe, ClusterSigner.none(), clock, sink);
  }

  /** A reconciler whose probe finds every reported backend unreachable (reports alone decide). */
  ViewReconciler(CoordinatorOptions options, BackendView view, CoordinatorMetrics metrics, Cluster cluster,
      ClusterSigner signer, LongSupplier clock, Consumer<ViewEvent> sink) {
    this(options, view, metrics, cluster, record -> Future.failedFuture("not probed"), signer, clock, sink);
  }

  /** @param signer checks each registry entry's signature: an entry without a valid one is invalid */
  ViewReconciler(CoordinatorOptions options, BackendView view, CoordinatorMetrics metrics, Cluster cluster,
      Probe probe, ClusterSigner signer, LongSupplier clock, Consumer<ViewEvent> sink) {
    this.view = view;
    this.metrics = metrics;
    this.cluster = cluster;
    this.probe = probe;
    this.signer = signer;
    this.clock = clock;
    this.sink = sink;
    this.liveness = new NodeLiveness(TimeUnit.MILLISECONDS.toNanos(options.getSuspectMs()),
        TimeUnit.MILLISECONDS.toNanos(options.getLivenessTimeoutMs()), TimeUnit.MILLISECONDS.toNanos(options.getLivenessCheckMs()));
    this.outliers = new OutlierDetector(options.getReportThreshold(), TimeUnit.MILLISECONDS.toNanos(options.getReportWindowMs()),
        TimeUnit.MILLISECONDS.toNanos(options.getQuarantineMs()), TimeUnit.MILLISECONDS.toNanos(PROBE_PASSED_QUIET_MS), 64);
    this.reportThreshold = options.getReportThreshold();
    this.quarantineMs = options.getQuarantineMs();
  }

  /** The registry's valid records by id, read-only and live. */
  Map<String, BackendRecord> registry() {
    return registryView;
  }

  /** Distinct clients that reported the backend unreachable within the window. */
  int reporters(String id) {
    return outliers.reporters(id, clock.getAsLong());
  }

  boolean isQuarantined(String id) {
    return outliers.isQuarantined(id);
  }

  /** Whether this coordinator is probing the backend (its reports reached the threshold). */
  boolean isProbing(String id) {
    return outliers.isProbing(id);
  }

  /** Applies one change of the cluster registry. */
  void apply(RegistryChange change) {
    if (change instanceof RegistryChange.Put put) {
      applyPut(put);
    } else if (change instanceof RegistryChange.Removed removed) {
      invalidLogged.remove(removed.key());
      BackendRecord known = registry.get(removed.key());
      // another coordinator may have deleted the entries of a departed node before we saw it go
      boolean departed = known != null && !cluster.members().contains(known.node());
      unregister(removed.key(), departed ? "node-left" : removed.reason());
    } else if (change instanceof RegistryChange.NodeLeft left) {
      removeNode(left.nodeId());
    }
  }

  /** After the initial load: removes the records of nodes that are no longer cluster members. */
  void dropDepartedNodes() {
    Set<String> members = cluster.members();
    registry.values().stream().map(BackendRecord::node).filter(n -> !members.contains(n)).distinct().toList()
        .forEach(this::removeNode);
  }

  /** A heartbeat of {@code node} that says when the node started (epoch ms; negative when it does not say). */
  void heard(String node, long startedAt) {
    if (startedAt >= 0 && liveness.silentFor(node, clock.getAsLong()) >= 0) {
      nodeStartedAt.put(node, startedAt);
    }
    heard(node);
  }

  /** What this coordinator knows of a node's liveness and start time. */
  NodeTable.NodeStatus nodeStatus(String node) {
    long silent = liveness.silentFor(node, clock.getAsLong());
    return new NodeTable.NodeStatus(liveness.state(node), silent < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(silent),
        nodeStartedAt.getOrDefault(node, -1L));
  }

  /** A heartbeat of {@code node}: a suspect node is listed unflagged again, an expired one restored. */
  void heard(String node) {
    liveness.heard(node, clock.getAsLong()).ifPresent(back -> {
      List<BackendRecord> records = recordsOf(node).stream().filter(this::visible).toList();
      records.forEach(this::show);
      log.info("node {} is heard again after {} ms: {} {}", node, TimeUnit.NANOSECONDS.toMillis(back.silentNanos()),
          back.from() == State.EXPIRED ? "restored" : "no longer suspect", ids(records));
    });
  }

  /**
   * A client could not reach a listed backend. When this report completes the threshold the backend is
   * probed; it leaves the list only if the probe fails too ({@link #onProbed}).
   */
  OutlierDetector.Verdict report(String id, String reporter) {
    BackendRecord record = registry.get(id);
    if (record == null) {
      return OutlierDetector.Verdict.IGNORED;
    }
    OutlierDetector.Verdict verdict = outliers.report(id, reporter, clock.getAsLong());
    if (verdict == OutlierDetector.Verdict.PROBE) {
      log.info("backend {} reported unreachable by {} clients: probing {}", id, reportThreshold, record.url());
      Future<Void> probed;
      try {
        probed = probe.reach(record);
      } catch (RuntimeException e) {
        probed = Future.failedFuture(e);
      }
      probed.onComplete(ar -> onProbed(id, ar));
    }
    return verdict;
  }

  /** A probe's outcome: a backend that answered stays listed and its reports are cleared; one that did not is quarantined. */
  private void onProbed(String id, AsyncResult<Void> outcome) {
    if (!outliers.isProbing(id)) {
      return; // the backend left the registry meanwhile
    }
    if (!outliers.probed(id, outcome.succeeded(), clock.getAsLong())) {
      log.info("backend {} answered this coordinator's probe: stays listed, its reports are cleared", id);
      return;
    }
    view.remove(id, RemoveReason.UNREACHABLE.wire()).ifPresent(sink);
    log.warn("backend {} reported unreachable by {} clients and this coordinator's probe failed too ({}): off the list for {} ms",
        id, reportThreshold, outcome.cause() == null ? "no detail" : outcome.cause().getMessage(), quarantineMs);
  }

  /** Runs the periodic checks: silent nodes turn suspect, then expire; quarantines end. */
  void tick() {
    long now = clock.getAsLong();
    NodeLiveness.Check check = liveness.check(now);
    if (check.stallNanos() > 0) {
      // short stalls are routine on a busy machine; one that could have cost a node its place is worth a warning
      log.atLevel(check.stallNanos() >= NOTABLE_STALL_NANOS ? Level.WARN : Level.DEBUG)
          .log("liveness check ran {} ms late (this coordinator stalled): not counted as the nodes' silence",
              TimeUnit.NANOSECONDS.toMillis(check.stallNanos()));
    }
    if (check.silentTogether() > 0 && !panicking) {
      log.warn("{} of {} nodes are silent at once: nobody is suspected or hidden until most are heard again "
          + "(this machine or the network is the likelier cause); a node that died still leaves with the cluster",
          check.silentTogether(), liveness.size());
    } else if (check.silentTogether() == 0 && panicking) {
      log.info("most nodes are heard again: liveness deadlines apply again");
    }
    panicking = check.silentTogether() > 0;
    for (Transition t : check.transitions()) {
      List<BackendRecord> records = recordsOf(t.node());
      long silentMs = TimeUnit.NANOSECONDS.toMillis(t.silentNanos());
      if (t.to() == State.SUSPECT) {
        records.forEach(this::show);
        metrics.detected(CoordinatorMetrics.DETECTED_SUSPECT, t.silentNanos());
        log.info("node {} silent for {} ms: suspect {}", t.node(), silentMs, ids(records));
      } else if (t.to() == State.EXPIRED) {
        records.forEach(r -> view.remove(r.id(), "expired").ifPresent(sink));
        metrics.detected(CoordinatorMetrics.DETECTED_EXPIRED, t.silentNanos());
        log.info("node {} silent for {} ms: hid {}", t.node(), silentMs, ids(records));
      }
    }
    for (String id : outliers.release(now)) {
      BackendRecord record = registry.get(id);
      if (record != null && visible(record)) {
        show(record);
        log.info("backend {} is listed again after its quarantine", id);
      }
    }
  }

  private void applyPut(RegistryChange.Put put) {
    BackendRecord record;
    try {
      if (!(put.value() instanceof String text)) {
        throw new InvalidRecordException("value", "must be the record's JSON text", put.value());
      }
      record = BackendRecord.fromJson(signer.openRecord(text));
      if (!record.id().equals(put.key())) {
        throw new InvalidRecordException("id", "must equal the registry key '" + put.key() + "'", record.id());
      }
    } catch (InvalidRecordException | DecodeException | ClassCastException | ClusterSigner.InvalidSignatureException e) {
      String reason = e.getMessage();
      if (!reason.equals(invalidLogged.put(put.key(), reason))) {
        metrics.invalidRecord();
        log.warn("rejected registry entry '{}': {}", put.key(), reason);
      }
      unregister(put.key(), "invalid");
      return;
    }
    invalidLogged.remove(put.key());
    // suspicion is this coordinator's judgement, never the backend's own claim
    record = record.withSuspect(false);
    BackendRecord previous = registry.put(record.id(), record);
    if (previous != null && !previous.node().equals(record.node())) {
      forgetIfEmpty(previous.node());
    }
    liveness.know(record.node(), clock.getAsLong());
    show(record);
  }

  /** A registry record is listed when its node is not expired and clients have not reported it unreachable. */
  private boolean visible(BackendRecord record) {
    return liveness.state(record.node()) != State.EXPIRED && !outliers.isQuarantined(record.id());
  }

  /** Lists a visible record as it stands now (flagged while its node is suspect); does nothing for a hidden one. */
  private void show(BackendRecord record) {
    if (visible(record)) {
      view.upsert(record.withSuspect(liveness.state(record.node()) == State.SUSPECT)).ifPresent(sink);
    }
  }

  private void unregister(String id, String reason) {
    outliers.forget(id);
    BackendRecord previous = registry.remove(id);
    view.remove(id, reason).ifPresent(sink);
    if (previous != null) {
      forgetIfEmpty(previous.node());
    }
  }

  private void removeNode(String nodeId) {
    List<BackendRecord> gone = recordsOf(nodeId);
    long silent = liveness.silentFor(nodeId, clock.getAsLong());
    for (BackendRecord r : gone) {
      registry.remove(r.id());
      view.remove(r.id(), "node-left").ifPresent(sink);
      cluster.delete(r.id()).onFailure(e -> log.debug("could not delete record {} of departed node: {}", r.id(), e.toString()));
    }
    liveness.forget(nodeId);
    nodeStartedAt.remove(nodeId);
    if (!gone.isEmpty()) {
      metrics.detected(CoordinatorMetrics.DETECTED_NODE_LEFT, silent);
      log.info("node {} left: removed {}", nodeId, ids(gone));
    }
  }

  private List<BackendRecord> recordsOf(String node) {
    return registry.values().stream().filter(r -> r.node().equals(node)).toList();
  }

  private void forgetIfEmpty(String node) {
    if (registry.values().stream().noneMatch(r -> r.node().equals(node))) {
      liveness.forget(node);
      nodeStartedAt.remove(node);
    }
  }

  private static List<String> ids(List<BackendRecord> records) {
    return records.stream().map(BackendRecord::id).toList();
  }
}
