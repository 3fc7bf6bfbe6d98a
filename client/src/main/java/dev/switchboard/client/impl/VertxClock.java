package dev.switchboard.client.impl;

import io.vertx.core.Vertx;

/** The production {@link Clock}: wall time and Vert.x timers (they fire on the context that set them). */
public final class VertxClock implements Clock {

  private final Vertx vertx;

  public VertxClock(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public long now() {
    return System.currentTimeMillis();
  }

  @Override
  public long setTimer(long delayMs, Runnable action) {
    return vertx.setTimer(Math.max(1, delayMs), id -> action.run());
  }

  @Override
  public void cancelTimer(long id) {
    vertx.cancelTimer(id);
  }
}
