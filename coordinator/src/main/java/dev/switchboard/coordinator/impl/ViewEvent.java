package dev.switchboard.coordinator.impl;

import io.vertx.core.buffer.Buffer;

/** One change of the view, encoded once as an SSE frame and shared by every subscriber. */
record ViewEvent(long seq, String service, Buffer frame) {

  boolean matches(String serviceFilter) {
    return serviceFilter == null || serviceFilter.equals(service);
  }
}
