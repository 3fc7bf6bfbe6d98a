package dev.switchboard.coordinator.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * One open SSE stream and the service it asked for (null = all). Holds the response and the connection
 * only, not the request it was given: that is the router's wrapper, which keeps the whole routing
 * context (parsed parameters, route state) alive for as long as the stream is open.
 */
final class Subscriber {

  private final HttpConnection connection;
  private final HttpServerResponse response;
  private final String service;

  Subscriber(HttpServerRequest request, String service) {
    this.connection = request.connection();
    this.response = request.response();
    this.service = service;
  }

  String service() {
    return service;
  }

  /** Whether the stream is gone (the client left, or it was cut). */
  boolean closed() {
    return response.closed();
  }

  /**
   * Writes a frame unless the subscriber has stopped reading: returns false, without writing, once
   * its write queue is past the bound, so the caller can disconnect it.
   */
  boolean offer(Buffer frame) {
    if (response.writeQueueFull()) {
      return false;
    }
    response.write(frame);
    return true;
  }

  /** Closes the connection; the client resumes with its last event id. */
  void disconnect() {
    connection.close();
  }
}
