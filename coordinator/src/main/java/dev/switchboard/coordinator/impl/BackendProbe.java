package dev.switchboard.coordinator.impl;

import dev.switchboard.model.BackendRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The coordinator's own check of a backend that clients reported unreachable: a TCP connect and a
 * WebSocket upgrade to the backend's URL, within a deadline. The backend is reachable when it accepts
 * the upgrade (closed again at once) or refuses it the way a live backend refuses: {@code 503} (full or
 * draining) or a 4xx other than 404 (a ticket or origin check, a rate limit). A refused or timed-out
 * connect, a TLS failure, a 404 (no backend at that path) or another 5xx is unreachable.
 */
final class BackendProbe implements ViewReconciler.Probe {

  private final WebSocketClient client;
  private final long timeoutMs;

  BackendProbe(Vertx vertx, long timeoutMs) {
    // a wss:// backend is probed for reachability only, nothing is sent: its certificate is not checked
    // (clients check it; the coordinator need not hold their CA)
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setConnectTimeout((int) timeoutMs)
        .setTrustAll(true).setVerifyHost(false));
    this.timeoutMs = timeoutMs;
  }

  @Override
  public Future<Void> reach(BackendRecord record) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setAbsoluteURI(record.url()).setConnectTimeout(timeoutMs);
    Future<WebSocket> connecting = client.connect(options);
    return connecting.timeout(timeoutMs, TimeUnit.MILLISECONDS).transform(ar -> {
      if (ar.succeeded()) {
        ar.result().close((short) 1000, "probe");
        return Future.succeededFuture();
      }
      connecting.onSuccess(late -> late.close((short) 1000, "probe")); // an upgrade that made it after the deadline
      Throwable e = ar.cause();
      if (e instanceof UpgradeRejectedException rejected && answered(rejected.getStatus())) {
        return Future.succeededFuture();
      }
      String why = e instanceof TimeoutException ? "no upgrade answer within " + timeoutMs + " ms"
          : e instanceof UpgradeRejectedException rejected ? "upgrade answered " + rejected.getStatus()
          : e.getMessage() != null ? e.getMessage() : e.toString();
      return Future.failedFuture(new IllegalStateException(record.url() + ": " + why, e));
    });
  }

  /** Whether a status refusing the upgrade comes from a live backend that chose to refuse. */
  static boolean answered(int status) {
    return status == 503 || (status >= 400 && status < 500 && status != 404);
  }

  Future<Void> close() {
    return client.close();
  }
}
