package dev.switchboard.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The README's library example, run as its own JVM: it joins the list and answers its own messages. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LibraryExampleIT {

  @Test
  void theShoutExampleIsABackendThatAnswersItsOwnMessagesAndSwitchboardOnes() throws Exception {
    TestCluster cluster = TestCluster.unique();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (TestCluster.Coordinator coordinator = cluster.coordinator("coordinator-library");
         JvmProcess example = JvmProcess.startMain("shout-example", "switchboard.backend.jar",
             "dev.switchboard.backend.example.ShoutBackend", cluster.args("--port", String.valueOf(port)))) {
      example.awaitLine("shout backend ready", TestCluster.START);
      String url = "ws://127.0.0.1:" + port + "/ws";
      Http.await("the example in the list", java.time.Duration.ofSeconds(15), () ->
          Http.getJson(coordinator.base() + "/v1/backends").encode().contains(url));
      try (RawWebSocket ws = RawWebSocket.connect(url, null)) {
        assertNotNull(ws);
        assertEquals("welcome", new JsonObject(ws.read().text()).getString("type"));
        ws.sendText("{\"type\":\"shout\",\"text\":\"hello\"}");
        assertEquals(new JsonObject().put("type", "shouted").put("text", "HELLO"), new JsonObject(ws.read().text()));
        ws.sendText("{\"type\":\"ping\",\"id\":3}");
        assertEquals("pong", new JsonObject(ws.read().text()).getString("type"));
      }
    }
  }
}
