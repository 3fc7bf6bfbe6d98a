package dev.switchboard.backend.example;

import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.BackendVerticle;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.CommandLine;
import io.vertx.core.json.JsonObject;

/**
 * A Vert.x app of its own made a Switchboard backend: it registers, reports load, heartbeats,
 * drains, enforces limits and serves rooms through {@link BackendVerticle}, and answers its own
 * {@code {"type":"shout","text":…}} messages. Run it next to a coordinator:
 * {@code java -cp ws-backend/target/switchboard-ws-backend-<version>-all.jar dev.switchboard.backend.example.ShoutBackend [--port P]}
 * (plus the usual {@code --cluster-*} options).
 */
public final class ShoutBackend {

  private ShoutBackend() {
  }

  public static void main(String[] args) {
    CommandLine.Values values = new CommandLine("shout", "A custom backend.")
        .option("port", null, 9500, "WebSocket port").clusterOptions().parse(args, System.getenv());
    int port = values.getInt("port");
    ClusterNode.start(values.clusterOptions().setLiteMember(true))
        .compose(node -> node.vertx().deployVerticle(
            new BackendVerticle(new BackendOptions().setPortBase(port), node, 0)
                .messageHandler((client, message) -> {
                  if ("shout".equals(message.getString("type"))) {
                    client.send(new JsonObject().put("type", "shouted")
                        .put("text", String.valueOf(message.getValue("text")).toUpperCase()));
                  }
                })))
        .onSuccess(id -> System.out.println("shout backend ready on ws://127.0.0.1:" + port + "/ws"))
        .onFailure(e -> {
          System.err.println("shout backend failed: " + e);
          System.exit(1);
        });
  }
}
