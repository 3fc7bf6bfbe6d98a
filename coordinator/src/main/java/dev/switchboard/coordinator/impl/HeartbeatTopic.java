package dev.switchboard.coordinator.impl;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import dev.switchboard.cluster.ClusterNames;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;

import java.util.UUID;

/**
 * Hears the heartbeats that backends send on the Hazelcast topic ({@link ClusterNames#HEARTBEAT_TOPIC})
 * and hands each text to a handler on the view's context. Hazelcast's event threads receive them, so
 * a busy event loop elsewhere in this JVM does not delay them; a stall of the view's own loop is
 * forgiven by the liveness check. Registering and removing the listener wait on the cluster, so both run
 * off the event loop. Texts longer than {@link #MAX_TEXT} are dropped unread.
 */
final class HeartbeatTopic {

  /** Longest heartbeat text read; a real one is under 400 characters, signed. */
  static final int MAX_TEXT = 4_096;

  private final Vertx vertx;
  private final Context context;
  private final HazelcastInstance hazelcast;
  private volatile ITopic<String> topic;
  private volatile UUID registration;
  private Future<Void> started = Future.succeededFuture();

  HeartbeatTopic(Vertx vertx, Context context, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.context = context;
    this.hazelcast = hazelcast;
  }

  /** Starts listening; {@code handler} runs on the view's context with each heartbeat's text. */
  Future<Void> start(Handler<String> handler) {
    started = vertx.executeBlocking(() -> {
      topic = hazelcast.getTopic(ClusterNames.HEARTBEAT_TOPIC);
      registration = topic.addMessageListener(message -> {
        Object body = message.getMessageObject(); // typed String, but anyone on the cluster may publish anything
        if (body instanceof String text && text.length() <= MAX_TEXT) {
          context.runOnContext(v -> handler.handle(text));
        }
      });
      return null;
    });
    return started;
  }

  /** Removes the listener once a start under way is done; nothing to do once Hazelcast has shut down. */
  Future<Void> stop() {
    return started.recover(e -> Future.succeededFuture()).compose(v -> {
      UUID id = registration;
      registration = null;
      if (id == null || !hazelcast.getLifecycleService().isRunning()) {
        return Future.succeededFuture();
      }
      return vertx.executeBlocking(() -> topic.removeMessageListener(id)).mapEmpty();
    });
  }
}
