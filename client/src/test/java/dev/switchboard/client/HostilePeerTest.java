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

/**
 * Bad input from the network is logged and ignored, never thrown into the application: a peer that
 * speaks our protocol badly (a stand-in for a buggy or hostile coordinator and backend — our own never
 * send this) streams malformed list events and frames, then good ones; the client carries on.
 */
class HostilePeerTest {

  private static final List<String> BAD_FRAMES = List.of("garbage", "[1,2]", "42", "null",
      "{\"type\":\"joined\",\"room\":5,\"seq\":\"x\"}", "{\"type\":\"ack\",\"id\":[],\"seq\":\"bad\"}",
      "{\"type\":\"message\",\"room\":{},\"seq\":1}", "{\"type\":\"drain\",\"deadlineMs\":\"soon\"}", "{\"no\":\"type\"}");

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void malformedListEventsAndFramesAreIgnoredAndTheClientCarriesOn() throws Exception {
    HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> {
      BAD_FRAMES.forEach(ws::writeTextMessage);
      ws.writeTextMessage("{\"type\":\"welcome\",\"session\":\"s1\",\"backend\":\"b1\"}");
      BAD_FRAMES.forEach(ws::writeTextMessage);
      ws.writeTextMessage("{\"type\":\"custom\",\"n\":1}");
    });
    server.requestHandler(req -> {
      int port = server.actualPort();
      String record = new JsonObject().put("id", "b1").put("url", "ws://127.0.0.1:" + port + "/ws").put("node", "n")
          .put("state", "UP").put("connections", 0).put("capacity", 10).put("startedAt", 1).encode();
      req.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
          .write("event: snapshot\nid: e-1\ndata: {not json\n\n"
              + "event: upsert\nid: e-2\ndata: {\"id\":\"bad id\"}\n\n"
              + "event: remove\nid: e-3\ndata: {}\n\n"
              + "event: mystery\nid: e-4\ndata: 1\n\n"
              + "retry: soon\n\n"
              + "event: snapshot\nid: e-5\ndata: {\"backends\":[" + record + ",{\"id\":7}]}\n\n");
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);

    List<JsonObject> frames = new CopyOnWriteArrayList<>();
    SwitchboardClient client = new SwitchboardClient(vertx, new SwitchboardClientOptions()
        .setCoordinators(List.of("http://127.0.0.1:" + server.actualPort())).setIntervalMs(60_000).setTimeoutMs(60_000))
        .messageHandler(m -> {
          frames.add(m);
          throw new IllegalStateException("an application bug must not break the client");
        });
    try {
      client.start().await(10, TimeUnit.SECONDS);
      assertEquals("b1", client.backend().id());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (frames.stream().noneMatch(f -> "custom".equals(f.getString("type"))) && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(20);
      }
      // frames with a string type the client does not handle reach the application; nothing else does
      assertEquals(List.of("custom"), frames.stream().map(f -> f.getString("type")).toList());
      assertEquals(ClientState.OPEN, client.state());
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }
}
