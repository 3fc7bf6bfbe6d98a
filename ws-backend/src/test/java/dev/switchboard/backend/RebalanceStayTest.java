package dev.switchboard.backend;

import dev.switchboard.backend.impl.RebalancePlan;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.ClusterOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client asked to move by a rebalance that answers {@code stay} keeps its connection past the
 * deadline, is not asked again within the hold-down, and the next client is asked in its place; one
 * that does not answer keeps its connection too (its move lapses at the deadline: a rebalance closes
 * nobody). A real backend on a plain Vert.x, real WebSockets.
 */
class RebalanceStayTest {

  private static final long DEADLINE_MS = 300;

  private ClusterNode node;
  private Vertx vertx;

  @BeforeEach
  void start() throws Exception {
    int hazelcastPort = 6301 + ThreadLocalRandom.current().nextInt(0, 60) * 10;
    node = ClusterNode.start(new ClusterOptions().setClusterName("stay-" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
        .setPort(hazelcastPort).setMembers("127.0.0.1:" + hazelcastPort)).await(2, TimeUnit.MINUTES);
    vertx = node.vertx();
  }

  @AfterEach
  void close() throws Exception {
    node.close().await(30, TimeUnit.SECONDS);
  }

  /** A socket and what it received, in order; the close code once closed. */
  private record Peer(WebSocket socket, BlockingQueue<JsonObject> frames, Promise<Short> closed) {

    JsonObject next() throws InterruptedException {
      JsonObject frame = frames.poll(10, TimeUnit.SECONDS);
      assertNotNull(frame, "a frame within 10 s");
      return frame;
    }
  }

  private Peer connect(WebSocketClient client, int port) throws Exception {
    BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
    Promise<Short> closed = Promise.promise();
    // handlers set on the socket's own loop as it opens, before the welcome can be read
    WebSocket socket = client.connect(port, "127.0.0.1", "/ws").onSuccess(ws -> {
      ws.textMessageHandler(text -> frames.add(new JsonObject(text)));
      ws.closeHandler(v -> closed.tryComplete(ws.closeStatusCode()));
    }).await(10, TimeUnit.SECONDS);
    Peer peer = new Peer(socket, frames, closed);
    assertEquals("welcome", peer.next().getString("type"));
    return peer;
  }

  @Test
  void aClientThatStaysIsReplacedByTheNextAndOneThatLetsTheDeadlinePassIsKeptOpen() throws Exception {
    BackendVerticle backend = new BackendVerticle(new BackendOptions().setPortBase(0).setHost("127.0.0.1"), node, 0);
    vertx.deployVerticle(backend).await(30, TimeUnit.SECONDS);
    int port = Integer.parseInt(backend.record().url().replaceAll(".*:(\\d+)/ws$", "$1"));
    WebSocketClient client = vertx.createWebSocketClient();
    Peer stays = connect(client, port);
    Peer silent = connect(client, port);
    RebalancePlan.Shed one = new RebalancePlan.Shed(backend.record().id(), 2, 1.0, 1,
        List.of(new RebalancePlan.Move("elsewhere-0", 1)));

    assertEquals(1, backend.shed(one, DEADLINE_MS).await(10, TimeUnit.SECONDS));
    JsonObject drain = stays.next();
    assertEquals("rebalance", drain.getString("reason"), "the oldest connection is asked first: " + drain);
    assertTrue(backend.movesInFlight());
    stays.socket().writeTextMessage(new JsonObject().put("type", "stay").encode());

    // the next client is asked in its place, with the same targets: the round still moves what it planned
    JsonObject inPlace = silent.next();
    assertEquals("rebalance", inPlace.getString("reason"));
    assertEquals(drain.getJsonArray("prefer"), inPlace.getJsonArray("prefer"));
    // it says nothing: at the deadline its move lapses, nobody is closed
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (backend.movesInFlight() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertFalse(backend.movesInFlight(), "a client that stays is no move in flight, a lapsed one after one more deadline");

    // both deadlines have long passed: both still open, and both still answer
    for (Peer peer : List.of(stays, silent)) {
      assertFalse(peer.closed().future().isComplete(), "closed with " + peer.closed().future().result());
      peer.socket().writeTextMessage(new JsonObject().put("type", "ping").put("id", 1).encode());
      assertEquals("pong", peer.next().getString("type"));
    }
    assertEquals(0, backend.shed(one, DEADLINE_MS).await(10, TimeUnit.SECONDS),
        "a client that stayed, or whose move lapsed, is not asked again within the hold-down");
  }
}
