package dev.switchboard.backend.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link PublishOrder} driven by hand-completed promises: claims that finish in any order, steps in order. */
class PublishOrderTest {

  /** Records when each step starts and lets the test complete it. */
  private final List<String> started = new ArrayList<>();
  private final List<Promise<Long>> steps = new ArrayList<>();

  private Future<Long> step(String name) {
    started.add(name);
    Promise<Long> p = Promise.promise();
    steps.add(p);
    return p.future();
  }

  @Test
  void aLaterPublishWhoseClaimFinishesFirstStillWaitsForTheEarlierStep() {
    PublishOrder order = new PublishOrder();
    Promise<String> claim1 = Promise.promise();
    Promise<String> claim2 = Promise.promise();
    Future<Long> first = order.inTurn(claim1.future(), this::step);
    Future<Long> second = order.inTurn(claim2.future(), this::step);
    claim2.complete("b");
    assertEquals(List.of(), started, "the second's claim is in, but the first has not even started");
    claim1.complete("a");
    assertEquals(List.of("a"), started);
    steps.get(0).complete(0L);
    assertEquals(List.of("a", "b"), started, "the second starts once the first's step completed");
    steps.get(1).complete(1L);
    assertEquals(0L, first.result());
    assertEquals(1L, second.result());
  }

  @Test
  void aStepStartsOnlyAfterTheOneBeforeCompletedNotWhenItStarted() {
    PublishOrder order = new PublishOrder();
    order.inTurn(Future.succeededFuture("a"), this::step);
    order.inTurn(Future.succeededFuture("b"), this::step);
    assertEquals(List.of("a"), started);
    steps.get(0).complete(0L);
    assertEquals(List.of("a", "b"), started);
  }

  @Test
  void aFailedClaimFailsItsPublishAfterTheEarlierOnesAndTheNextGoesOn() {
    PublishOrder order = new PublishOrder();
    Promise<String> claim1 = Promise.promise();
    order.inTurn(claim1.future(), this::step);
    Future<Long> failed = order.inTurn(Future.failedFuture(new IllegalStateException("claim lost")), this::step);
    Future<Long> third = order.inTurn(Future.succeededFuture("c"), this::step);
    assertTrue(!failed.isComplete(), "a failure waits its turn too, so the next cannot overtake the first");
    claim1.complete("a");
    assertEquals(List.of("a"), started);
    steps.get(0).fail("append failed");
    assertTrue(failed.failed());
    assertEquals("claim lost", failed.cause().getMessage());
    assertEquals(List.of("a", "c"), started, "a failed step does not stop the ones after it");
    steps.get(1).complete(2L);
    assertEquals(2L, third.result());
  }

  @Test
  void twoConnectionsDoNotWaitForEachOther() {
    PublishOrder one = new PublishOrder();
    PublishOrder other = new PublishOrder();
    one.inTurn(Future.succeededFuture("a"), this::step);
    other.inTurn(Future.succeededFuture("x"), this::step);
    assertEquals(List.of("a", "x"), started, "x starts while a's step is still open");
  }
}
