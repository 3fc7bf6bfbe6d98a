package dev.switchboard.client;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A pong answering the ping in flight reports its round trip; a pong with another id reports none. */
class RttTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aPongForThePingInFlightReportsItsRoundTripAndAStrayPongReportsNothing() throws Exception {
    List<Long> pingIds = new CopyOnWriteArrayList<>();
    HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> {
      ws.writeTextMessage("{\"type\":\"welcome\",\"session\":\"s1\",\"backend\":\"b1\"}");
      ws.textMessageHandler(text -> {
        JsonObject ping = new JsonObject(text);
        long id = ping.getLong("id");
        pingIds.add(id);
        // the first ping gets a stray pong (another id) before its own, 30 ms late
        if (pingIds.size() == 1) {
          ws.writeTextMessage(new JsonObject().put("type", "pong").put("id", id + 100).encode());
        }
        vertx.setTimer(30, t -> ws.writeTextMessage(new JsonObject().put("type", "pong").put("id", id).encode()));
      });
    });
    server.requestHandler(req -> {
      String record = new JsonObject().put("id", "b1").put("url", "ws://127.0.0.1:" + server.actualPort() + "/ws")
          .put("node", "n").put("state", "UP").put("connections", 0).put("capacity", 10).put("startedAt", 1).encode();
      req.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
          .write("event: snapshot\nid: e-1\ndata: {\"backends\":[" + record + "]}\n\n");
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);

    List<Rtt> rtts = new CopyOnWriteArrayList<>();
    SwitchboardClient client = new SwitchboardClient(vertx, new SwitchboardClientOptions()
        .setCoordinators(List.of("http://127.0.0.1:" + server.actualPort())).setIntervalMs(100).setTimeoutMs(5_000))
        .rttHandler(rtts::add);
    try {
      client.start().await(10, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (rtts.size() < 2 && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      assertTrue(rtts.size() >= 2, "round trips reported: " + rtts);
      // the stray pong cleared the ping in flight, so the first ping's own pong reports nothing either
      assertTrue(pingIds.size() > rtts.size(), "pings " + pingIds + ", round trips " + rtts);
      for (Rtt r : rtts) {
        assertEquals("b1", r.backend().id());
        assertTrue(r.ms() >= 25, "a round trip includes the backend's 30 ms: " + r);
      }
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }
}
