package dev.switchboard.backend.impl;

import io.vertx.core.Future;

import java.util.function.Function;

/**
 * Keeps one connection's publishes in the order it sent them. Each publish has a part that may overlap
 * with the ones before it (claiming its id) and an ordered step (appending it to the room): a step starts
 * only once the step of the publish before has completed, whatever its outcome. Ordering is per
 * connection: two connections' publishes never wait for each other. Confined to the connection's event loop.
 */
public final class PublishOrder {

  private Future<?> last = Future.succeededFuture();

  /**
   * Runs {@code step} on the result of {@code before} once every earlier step has completed; completes
   * with the step's result, or fails with {@code before}'s failure (after the earlier steps, too).
   */
  public <A, T> Future<T> inTurn(Future<A> before, Function<A, Future<T>> step) {
    Future<?> previous = last;
    Future<T> result = previous.transform(ignored -> before).compose(step);
    last = result;
    return result;
  }
}
