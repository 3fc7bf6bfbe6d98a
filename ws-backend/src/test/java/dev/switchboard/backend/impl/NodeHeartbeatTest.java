package dev.switchboard.backend.impl;

import com.hazelcast.topic.ITopic;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a heartbeat carries (node, backend, sequence, the node's start time when it is known), and that
 * the topic channel keeps beating while the backend's event loop is blocked.
 */
class NodeHeartbeatTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aHeartbeatCarriesTheNodesStartTime() throws Exception {
    JsonObject beat = firstBeat(new NodeHeartbeat(vertx, ClusterSigner.none(), null, "n1", "n1-0", 60_000, 1_700_000_000_000L));
    assertEquals("n1", beat.getString("node"));
    assertEquals("n1-0", beat.getString("backend"));
    assertEquals(1, beat.getLong("seq"));
    assertEquals(1_700_000_000_000L, beat.getLong("nodeStartedAt"));
  }

  @Test
  void anUnknownStartTimeIsNotSent() throws Exception {
    JsonObject beat = firstBeat(new NodeHeartbeat(vertx, ClusterSigner.none(), "n1", "n1-0", 60_000));
    assertFalse(beat.containsKey("nodeStartedAt"), beat.encode());
  }

  @Test
  void theTopicKeepsBeatingWhileTheBackendsEventLoopIsBlocked() throws Exception {
    List<String> sent = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    NodeHeartbeat heartbeat = new NodeHeartbeat(vertx, ClusterSigner.none(), topic(sent, threads), "n1", "n1-0", 50, -1);
    CountDownLatch blocked = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      heartbeat.start();
      blocked.countDown();
      int before = sent.size();
      long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
      while (System.nanoTime() < until) {
        Thread.onSpinWait(); // the event loop is busy: no timer of its own can fire
      }
      threads.add("while blocked: " + (sent.size() - before));
    });
    assertTrue(blocked.await(10, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (threads.stream().noneMatch(t -> t.startsWith("while blocked")) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    vertx.runOnContext(v -> heartbeat.stop());
    String during = threads.stream().filter(t -> t.startsWith("while blocked")).findFirst().orElseThrow();
    assertTrue(Integer.parseInt(during.substring("while blocked: ".length())) >= 5,
        "beats on the topic during 600 ms of a blocked loop at a 50 ms interval: " + during);
    assertTrue(threads.contains("switchboard-heartbeat"), threads.toString());
    JsonObject beat = new JsonObject(sent.get(0));
    assertEquals("n1", beat.getString("node"));
    assertEquals("n1-0", beat.getString("backend"));
  }

  /** A topic that records what is published to it, and on which thread; nothing else is called. */
  @SuppressWarnings("unchecked")
  private static ITopic<String> topic(List<String> sent, List<String> threads) {
    return (ITopic<String>) Proxy.newProxyInstance(ITopic.class.getClassLoader(), new Class<?>[] {ITopic.class},
        (proxy, method, args) -> {
          if (!method.getName().equals("publishAsync")) {
            throw new UnsupportedOperationException(method.getName());
          }
          sent.add((String) args[0]);
          if (!threads.contains(Thread.currentThread().getName())) {
            threads.add(Thread.currentThread().getName());
          }
          return CompletableFuture.completedFuture(null);
        });
  }

  private JsonObject firstBeat(NodeHeartbeat heartbeat) throws Exception {
    CompletableFuture<JsonObject> first = new CompletableFuture<>();
    vertx.eventBus().<JsonObject>consumer(ClusterNames.HEARTBEAT_ADDRESS, m -> first.complete(m.body())).completion().await();
    vertx.runOnContext(v -> heartbeat.start());
    try {
      return first.get(10, TimeUnit.SECONDS);
    } finally {
      vertx.runOnContext(v -> heartbeat.stop());
    }
  }
}
