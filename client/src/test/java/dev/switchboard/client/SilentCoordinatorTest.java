package dev.switchboard.client;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A coordinator cut off by the network sends nothing, not even a close: the list stream gives up on it
 * after the list idle timeout and follows the next coordinator.
 */
class SilentCoordinatorTest {

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private HttpServer coordinator(boolean keepTalking) throws Exception {
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      req.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
          .write("event: snapshot\nid: e-1\ndata: {\"backends\":[]}\n\n");
      if (keepTalking) {
        vertx.setPeriodic(100, id -> req.response().write(": keep-alive\n\n"));
      }
    });
    return server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  @Test
  void aStreamSilentForTheIdleTimeoutMovesToTheNextCoordinator() throws Exception {
    String silent = "http://127.0.0.1:" + coordinator(false).actualPort();
    String talking = "http://127.0.0.1:" + coordinator(true).actualPort();
    BackendListStream[] holder = new BackendListStream[1];
    Promise<Void> opened = Promise.promise();
    vertx.runOnContext(v -> {
      holder[0] = new BackendListStream(vertx, List.of(silent, talking), null, 0, new HttpClientOptions(), 500);
      holder[0].open().onComplete(opened);
    });
    opened.future().await(10, TimeUnit.SECONDS); // the silent one's snapshot: from now on it says nothing
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(10);
    while (!holder[0].coordinator().equals(talking) && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(talking, holder[0].coordinator());
    assertTrue(tookMs >= 300 && tookMs < 3_000, "moved after " + tookMs + " ms; the idle timeout is 500 ms");
    // a stream that hears keep-alives stays
    TimeUnit.MILLISECONDS.sleep(1_500);
    assertEquals(talking, holder[0].coordinator());
    vertx.runOnContext(v -> holder[0].close());
  }
}
