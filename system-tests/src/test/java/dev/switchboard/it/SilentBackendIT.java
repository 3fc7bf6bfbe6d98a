package dev.switchboard.it;

import dev.switchboard.client.RequestException;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A backend that accepts the upgrade, sends its welcome and then never answers anything, over real
 * sockets: the Java client's join and publish still settle, failing after {@code requestTimeoutMs}.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class SilentBackendIT {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void joinAndPublishFailAfterTheRequestTimeoutWhenTheBackendNeverAnswers() throws Exception {
    HttpServer server = vertx.createHttpServer()
        .webSocketHandler(ws -> ws.writeTextMessage("{\"type\":\"welcome\",\"session\":\"s1\",\"backend\":\"silent\",\"heartbeatMs\":60000}"));
    server.requestHandler(req -> {
      String record = new JsonObject().put("id", "silent").put("url", "ws://127.0.0.1:" + server.actualPort() + "/ws")
          .put("node", "n").put("state", "UP").put("connections", 0).put("capacity", 10).put("startedAt", 1).encode();
      req.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
          .write("event: snapshot\nid: e-1\ndata: {\"backends\":[" + record + "]}\n\n");
    });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    SwitchboardClient client = new SwitchboardClient(vertx, new SwitchboardClientOptions()
        .setCoordinators(List.of("http://127.0.0.1:" + server.actualPort()))
        .setIntervalMs(60_000).setTimeoutMs(60_000).setRequestTimeoutMs(1_000));
    try {
      client.start().await(10, TimeUnit.SECONDS);
      long started = System.nanoTime();
      Future<Long> join = client.join("lobby");
      Future<Long> publish = client.publish("lobby", "hello");
      for (Future<Long> request : List.of(join, publish)) {
        Throwable cause = request.map(seq -> (Throwable) null).recover(Future::succeededFuture).await(10, TimeUnit.SECONDS);
        RequestException failure = assertInstanceOf(RequestException.class, cause);
        assertEquals(RequestException.TIMEOUT, failure.code());
        assertEquals("lobby", failure.room());
      }
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(ms >= 900 && ms < 5_000, "failed after the 1 s request timeout, took " + ms + " ms");
      assertEquals("silent", client.backend().id(), "a silent answer to requests is not a failed connection");
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }
}
