package dev.switchboard.coordinator.impl;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import dev.switchboard.cluster.ClusterNames;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Feeds the registry's changes to a consumer on one Vert.x context, in order, starting with the
 * current content. Listeners are added before the content is read and their changes held back until
 * it is delivered, so no change is lost or applied out of order around the initial load.
 */
final class RegistryWatcher implements ViewReconciler.Cluster {

  /** Where {@code HazelcastClusterManager} publishes the Vert.x node id (checked against vertx-hazelcast 5.1.5). */
  private static final String VERTX_NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private final IMap<String, Object> map;
  private Consumer<RegistryChange> consumer;
  private List<RegistryChange> heldBack = new ArrayList<>();
  /** Set on the worker that registers them; read by {@link #stop} after {@link #start} completed. */
  private volatile UUID entryListener;
  private volatile UUID membershipListener;
  /** The registration in progress or done, which a stop waits for so that no listener outlives it. */
  private Future<Void> registered = Future.succeededFuture();

  RegistryWatcher(Vertx vertx, Context context, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.context = context;
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(ClusterNames.BACKENDS_MAP);
  }

  /**
   * Starts listening and delivers the current content to {@code consumer} as {@link RegistryChange.Put}s,
   * then every change; completes once the content is delivered.
   */
  Future<Void> start(Consumer<RegistryChange> consumer) {
    this.consumer = consumer;
    // on a worker: a listener registration waits for every member to confirm it (IMap has no async one)
    Future<Map<String, Object>> read = vertx.executeBlocking(() -> {
      entryListener = map.addEntryListener(new EntryListener(), true);
      membershipListener = hazelcast.getCluster().addMembershipListener(new MembersListener());
      Map<String, Object> content = new HashMap<>();
      for (Map.Entry<String, Object> e : map.entrySet()) {
        content.put(e.getKey(), e.getValue());
      }
      return content;
    });
    registered = read.mapEmpty();
    return read.map(content -> {
      content.forEach((k, v) -> consumer.accept(new RegistryChange.Put(k, v)));
      List<RegistryChange> held = heldBack;
      heldBack = null;
      held.forEach(consumer);
      return null;
    });
  }

  /** Whether the node is still an active cluster member. */
  boolean connected() {
    return hazelcast.getLifecycleService().isRunning();
  }

  @Override
  public Set<String> members() {
    return hazelcast.getCluster().getMembers().stream().map(RegistryWatcher::nodeId).collect(Collectors.toSet());
  }

  /** Removes a stale entry from the cluster map (a record of a node that is gone). */
  @Override
  public Future<Void> delete(String key) {
    return Future.fromCompletionStage(map.deleteAsync(key), context).mapEmpty();
  }

  /** Stops listening; completes once the listeners are removed (on a worker: removal waits for the members). */
  Future<Void> stop() {
    return registered.transform(ar -> {
      UUID entries = entryListener;
      UUID members = membershipListener;
      if (entries == null || !connected()) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(() -> {
        map.removeEntryListener(entries);
        if (members != null) {
          hazelcast.getCluster().removeMembershipListener(members);
        }
        return null;
      });
    });
  }

  /** The Vert.x node id of a member: vertx-hazelcast keeps it in a member attribute, apart from the member UUID. */
  static String nodeId(Member member) {
    String id = member.getAttribute(VERTX_NODE_ID_ATTRIBUTE);
    return id != null ? id : member.getUuid().toString();
  }

  private void emit(RegistryChange change) {
    context.runOnContext(v -> {
      if (heldBack != null) {
        heldBack.add(change);
      } else {
        consumer.accept(change);
      }
    });
  }

  private final class EntryListener implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object>,
      EntryRemovedListener<String, Object>, EntryExpiredListener<String, Object>, EntryEvictedListener<String, Object> {

    @Override
    public void entryAdded(EntryEvent<String, Object> event) {
      emit(new RegistryChange.Put(event.getKey(), event.getValue()));
    }

    @Override
    public void entryUpdated(EntryEvent<String, Object> event) {
      emit(new RegistryChange.Put(event.getKey(), event.getValue()));
    }

    @Override
    public void entryRemoved(EntryEvent<String, Object> event) {
      emit(new RegistryChange.Removed(event.getKey(), "deregistered"));
    }

    @Override
    public void entryExpired(EntryEvent<String, Object> event) {
      emit(new RegistryChange.Removed(event.getKey(), "expired"));
    }

    @Override
    public void entryEvicted(EntryEvent<String, Object> event) {
      emit(new RegistryChange.Removed(event.getKey(), "evicted"));
    }
  }

  private final class MembersListener implements MembershipListener {

    @Override
    public void memberAdded(MembershipEvent event) {
      // a new node announces its backends through the map
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      emit(new RegistryChange.NodeLeft(nodeId(event.getMember())));
    }
  }
}
