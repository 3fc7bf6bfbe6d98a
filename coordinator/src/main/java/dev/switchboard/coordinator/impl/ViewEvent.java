package dev.switchboard.coordinator.impl;

import io.vertx.core.buffer.Buffer;

/**
 * One change of the view, encoded once as an SSE frame and shared by every subscriber. A frame with no
 * service (a keep-alive) is for every subscriber, whatever its filter.
 */
record ViewEvent(long seq, String service, Buffer frame) {

  /** A frame for every subscriber that is not a change of the view (no id, not kept for resume). */
  static ViewEvent toAll(Buffer frame) {
    return new ViewEvent(-1, null, frame);
  }

  boolean matches(String serviceFilter) {
    return serviceFilter == null || service == null || serviceFilter.equals(service);
  }
}
