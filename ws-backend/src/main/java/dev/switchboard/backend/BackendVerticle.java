package dev.switchboard.backend;

import dev.switchboard.backend.impl.BackendRegistration;
import dev.switchboard.backend.impl.BackendSession;
import dev.switchboard.backend.impl.NodeHeartbeat;
import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One Switchboard backend: a WebSocket endpoint at {@code /ws} on its own port, registered in the
 * cluster and heartbeating to the coordinators while deployed (PROTOCOL §1, §3). Undeploying it
 * removes its record first, then closes.
 */
public final class BackendVerticle extends VerticleBase {

  /** The WebSocket path. */
  public static final String PATH = "/ws";

  private final BackendOptions options;
  private final String nodeId;
  private final String id;
  private final int port;
  private final Set<ServerWebSocket> sockets = new HashSet<>();
  private HttpServer server;
  private BackendRegistration registration;
  private NodeHeartbeat heartbeat;
  private volatile BackendRecord record;

  /**
   * @param nodeId the cluster node hosting this backend
   * @param index this backend's index on its node: it listens on {@code portBase + index} (or a free
   *     port when {@code portBase} is 0) and is named {@code <first 8 of nodeId>-<index>}
   */
  public BackendVerticle(BackendOptions options, String nodeId, int index) {
    this.options = new BackendOptions(options);
    this.nodeId = nodeId;
    this.id = shortNode(nodeId) + "-" + index;
    this.port = options.getPortBase() == 0 ? 0 : options.getPortBase() + index;
  }

  @Override
  public Future<?> start() {
    registration = new BackendRegistration(vertx, options.getLoadReportMs(), options.getRefreshMs());
    heartbeat = new NodeHeartbeat(vertx, nodeId, id, options.getLivenessIntervalMs());
    HttpServerOptions serverOptions = new HttpServerOptions()
        .setMaxWebSocketFrameSize(options.getMaxFrameBytes())
        .setMaxWebSocketMessageSize(options.getMaxFrameBytes());
    return vertx.createHttpServer(serverOptions)
        .requestHandler(this::onRequest)
        .listen(port, options.getHost())
        .compose(s -> {
          server = s;
          record = new BackendRecord(id, options.getService(),
              "ws://" + options.getPublicHost() + ":" + s.actualPort() + PATH, nodeId, options.getZone(),
              BackendState.UP, 0, options.getCapacity(), options.getWeight(), System.currentTimeMillis());
          return registration.register(record);
        })
        .onSuccess(v -> heartbeat.start());
  }

  @Override
  public Future<?> stop() {
    Future<Void> deregistered = registration == null ? Future.succeededFuture() : registration.deregister();
    // beat until the record is gone, so coordinators report "deregistered", not "expired"
    return deregistered.eventually(() -> {
      if (heartbeat != null) {
        heartbeat.stop();
      }
      return server == null ? Future.succeededFuture() : server.close();
    });
  }

  /** The record as first published (its URL carries the bound port); null before start. */
  public BackendRecord record() {
    return record;
  }

  private void onRequest(HttpServerRequest request) {
    if (!PATH.equals(request.path())) {
      request.response().setStatusCode(404).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "WebSocket endpoint is " + PATH).encode());
      return;
    }
    if (sockets.size() >= options.getCapacity()) {
      request.response().setStatusCode(503).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", "backend " + id + " is full").encode());
      return;
    }
    request.toWebSocket()
        .onSuccess(this::onSocket)
        .onFailure(e -> {
          if (!request.response().ended()) {
            request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", "expected a WebSocket upgrade: " + e.getMessage()).encode());
          }
        });
  }

  private void onSocket(ServerWebSocket socket) {
    sockets.add(socket);
    registration.connections(sockets.size());
    socket.closeHandler(v -> {
      sockets.remove(socket);
      registration.connections(sockets.size());
    });
    String session = Long.toHexString(ThreadLocalRandom.current().nextLong());
    new BackendSession(socket, id).start(session, options.getHeartbeatMs());
  }

  private static String shortNode(String nodeId) {
    String clean = nodeId.replaceAll("[^A-Za-z0-9]", "");
    return clean.length() > 8 ? clean.substring(0, 8) : clean;
  }
}
