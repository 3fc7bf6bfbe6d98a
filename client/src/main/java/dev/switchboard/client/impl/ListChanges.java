package dev.switchboard.client.impl;

import dev.switchboard.client.ListEvent;
import dev.switchboard.client.MoveReason;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import dev.switchboard.model.RemoveReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a change of the list does to the pool: attempts on backends no longer listed are given up,
 * connections to removed backends fail over ({@code removed}) — except a working one to a backend
 * removed as {@code unreachable}, kept while it answers heartbeats — and a newcomer cuts a backoff short.
 */
final class ListChanges {

  private static final Logger log = LoggerFactory.getLogger(ListChanges.class);

  private final Pool pool;
  private final Set<String> knownIds = new HashSet<>();

  ListChanges(Pool pool) {
    this.pool = pool;
  }

  void apply(ListEvent change) {
    Map<String, BackendRecord> backends = pool.list.backends();
    pool.chooser.list(backends);
    Listeners.emit(pool.on.lists, List.copyOf(backends.values()));
    boolean newcomer = false;
    for (BackendRecord b : backends.values()) {
      newcomer |= b.state() == BackendState.UP && knownIds.add(b.id());
    }
    knownIds.retainAll(backends.keySet());
    for (Connection c : List.copyOf(pool.opening)) {
      if (!backends.containsKey(c.backend.id())) {
        pool.opening.remove(c);
        c.close((short) 1000, "abandoned");
      }
    }
    for (Connection c : List.copyOf(pool.open)) {
      BackendRecord listed = backends.get(c.backend.id());
      boolean removedNow = change instanceof ListEvent.Remove remove && remove.id().equals(c.backend.id());
      if (listed != null) {
        c.listedConnections = listed.connections();
        c.keptUnlisted = false;
      } else if (removedNow && ((ListEvent.Remove) change).removeReason() == RemoveReason.UNREACHABLE) {
        // others could not reach it, but this connection works: keep it (heartbeats judge it), choose it for nothing new
        c.keptUnlisted = true;
        log.info("backend {} left the list as unreachable; its connection here works and stays", c.backend.id());
      } else if (!c.keptUnlisted || removedNow) {
        pool.failover(c, MoveReason.REMOVED, "backend left the list", false); // at once: it is gone for everyone
      }
    }
    if (newcomer) {
      pool.refill.cancel(); // a new backend is new hope: try it now rather than after the backoff
    }
    if (!pool.refill.pending()) {
      pool.fill();
    }
    pool.updateState();
  }
}
