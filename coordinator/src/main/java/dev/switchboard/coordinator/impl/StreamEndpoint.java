package dev.switchboard.coordinator.impl;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/**
 * {@code GET /v1/backends/stream} on one shard: checks the request and the subscriber limit, opens the
 * SSE response and joins it to the fan-out, which sends its first frames from the view's loop.
 */
final class StreamEndpoint {

  static final Pattern SERVICE = Pattern.compile("[a-z0-9-]{1,32}");
  private static final int MAX_EVENT_ID_LENGTH = 64;

  private final FanOut fanOut;
  private final SubscriberShard shard;
  private final int queueBytes;
  private final long retryMs;

  /**
   * @param queueBytes unread bytes a subscriber may have queued before it is cut off
   * @param retryMs the client's reconnect delay, also the {@code Retry-After} of a refusal
   */
  StreamEndpoint(FanOut fanOut, SubscriberShard shard, int queueBytes, long retryMs) {
    this.fanOut = fanOut;
    this.shard = shard;
    this.queueBytes = queueBytes;
    this.retryMs = retryMs;
  }

  void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpServerResponse response = ctx.response();
    String service = serviceParam(ctx);
    if (service == null && response.ended()) {
      return;
    }
    if (!shard.hub().reserve()) {
      response.putHeader("Retry-After", String.valueOf(Math.max(1, retryMs / 1000)));
      error(response, 503, "subscriber limit reached, retry later");
      return;
    }
    String lastEventId = request.getHeader("Last-Event-ID");
    if (lastEventId == null) {
      lastEventId = request.getParam("lastEventId");
    }
    if (lastEventId != null && lastEventId.length() > MAX_EVENT_ID_LENGTH) {
      lastEventId = null;
    }
    response.setChunked(true)
        .setWriteQueueMaxSize(queueBytes)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    Subscriber subscriber = new Subscriber(request, service);
    response.closeHandler(v -> shard.leave(subscriber));
    response.exceptionHandler(e -> shard.leave(subscriber));
    fanOut.join(shard, subscriber, lastEventId);
  }

  /** The validated {@code service} parameter; null when absent, or when a 400 was sent for a bad one. */
  static String serviceParam(RoutingContext ctx) {
    String service = ctx.request().getParam("service");
    if (service != null && !SERVICE.matcher(service).matches()) {
      error(ctx.response(), 400, "service must match [a-z0-9-]{1,32}");
      return null;
    }
    return service;
  }

  static void json(HttpServerResponse response, int status, JsonObject body) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  static void error(HttpServerResponse response, int status, String message) {
    json(response, status, new JsonObject().put("error", message));
  }
}
