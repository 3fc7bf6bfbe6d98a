package dev.switchboard.backend.impl;

import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.cluster.ClusterSigner;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What a heartbeat carries: node, backend, sequence, and the node's start time when it is known. */
class NodeHeartbeatTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void aHeartbeatCarriesTheNodesStartTime() throws Exception {
    JsonObject beat = firstBeat(new NodeHeartbeat(vertx, ClusterSigner.none(), "n1", "n1-0", 60_000, 1_700_000_000_000L));
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
