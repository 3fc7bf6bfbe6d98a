package dev.switchboard.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The documented examples, each run as its own JVM from its runnable jar: the backend library example
 * joins the list and answers its own messages; the Java client example joins a room, publishes and
 * prints what it receives.
 */
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

  @Test
  void theJavaClientExampleJoinsARoomPublishesAndPrintsTheMessageItReceives() throws Exception {
    TestCluster cluster = TestCluster.unique();
    try (TestCluster.Coordinator coordinator = cluster.coordinator("coordinator-chat-example");
         TestCluster.BackendNode node = cluster.backendNode("backend-chat-example", 1);
         JvmProcess example = JvmProcess.startMain("chat-example", "switchboard.examples.jar",
             "dev.switchboard.examples.ChatExample", "--coordinator", coordinator.base(), "--room", "example-room",
             "--message", "hello from the example")) {
      example.awaitLine("connected to " + java.util.regex.Pattern.quote(node.ids().get(0)), TestCluster.START);
      example.awaitLine("published #(\\d+)", java.time.Duration.ofSeconds(30));
      example.awaitLine("received example-room #\\d+: hello from the example", java.time.Duration.ofSeconds(30));
      assertEquals(0, example.count("(?i)exception|error:"), "a clean run");
    }
  }
}
