package dev.switchboard.backend.impl;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PublishOrder} driven by hand-completed claims and appends: claims that finish in any order,
 * appends in the order the publishes came, those that queued up behind an append batched into the next.
 */
class PublishOrderTest {

  /** A room's appends as the fake ringbuffer saw them, each completed by the test. */
  private record Append(String room, List<String> items, Promise<Long> done) {
  }

  private final List<Append> appends = new ArrayList<>();

  private Future<Long> append(String room, List<String> items) {
    Promise<Long> done = Promise.promise();
    appends.add(new Append(room, List.copyOf(items), done));
    return done.future();
  }

  private Future<PublishOrder.Outcome> submit(PublishOrder order, String room, String item, Future<Long> claim) {
    return order.submit(room, item, claim, this::append);
  }

  @Test
  void aLaterPublishWhoseClaimFinishesFirstStillWaitsForTheEarlierOne() {
    PublishOrder order = new PublishOrder();
    Promise<Long> claimA = Promise.promise();
    Promise<Long> claimB = Promise.promise();
    Future<PublishOrder.Outcome> a = submit(order, "r", "a", claimA.future());
    Future<PublishOrder.Outcome> b = submit(order, "r", "b", claimB.future());
    claimB.complete(null);
    assertEquals(List.of(), appends, "b is claimed, but a is not: b may not overtake it");
    claimA.complete(null);
    assertEquals(List.of("a", "b"), appends.get(0).items(), "both go out in one append, in order");
    appends.get(0).done().complete(8L);
    assertEquals(new PublishOrder.Outcome(7, true), a.result());
    assertEquals(new PublishOrder.Outcome(8, true), b.result());
  }

  @Test
  void publishesClaimedWhileAnAppendIsInFlightGoOutTogetherInTheNextAppend() {
    PublishOrder order = new PublishOrder();
    Future<PublishOrder.Outcome> first = submit(order, "r", "m0", Future.succeededFuture(null));
    assertEquals(1, appends.size());
    Future<PublishOrder.Outcome> second = submit(order, "r", "m1", Future.succeededFuture(null));
    Future<PublishOrder.Outcome> third = submit(order, "r", "m2", Future.succeededFuture(null));
    assertEquals(1, appends.size(), "one append in flight at a time");
    appends.get(0).done().complete(0L);
    assertEquals(new PublishOrder.Outcome(0, true), first.result());
    assertEquals(List.of("m1", "m2"), appends.get(1).items());
    appends.get(1).done().complete(2L);
    assertEquals(1, second.result().seq());
    assertEquals(2, third.result().seq());
  }

  @Test
  void aRunOfOneAppendIsOneRoomsPublishes() {
    PublishOrder order = new PublishOrder();
    Promise<Long> first = Promise.promise();
    submit(order, "one", "a", first.future());
    submit(order, "other", "b", Future.succeededFuture(null));
    submit(order, "one", "c", Future.succeededFuture(null));
    first.complete(null);
    assertEquals(new Append("one", List.of("a"), appends.get(0).done()), appends.get(0));
    appends.get(0).done().complete(0L);
    assertEquals(List.of("b"), appends.get(1).items());
    assertEquals("other", appends.get(1).room());
    appends.get(1).done().complete(0L);
    assertEquals(List.of("c"), appends.get(2).items());
  }

  @Test
  void aRepeatedIdIsAnsweredWithItsClaimAndAppendsNothing() {
    PublishOrder order = new PublishOrder();
    Future<PublishOrder.Outcome> repeat = submit(order, "r", "again", Future.succeededFuture(4L));
    assertEquals(new PublishOrder.Outcome(4, false), repeat.result());
    assertTrue(appends.isEmpty());
  }

  @Test
  void aFailedClaimOrAppendFailsOnlyItsPublishesAndTheNextGoOn() {
    PublishOrder order = new PublishOrder();
    Future<PublishOrder.Outcome> lost = submit(order, "r", "a", Future.failedFuture(new IllegalStateException("claim lost")));
    Future<PublishOrder.Outcome> b = submit(order, "r", "b", Future.succeededFuture(null));
    assertTrue(lost.failed());
    appends.get(0).done().fail("append failed");
    assertTrue(b.failed());
    Future<PublishOrder.Outcome> c = submit(order, "r", "c", Future.succeededFuture(null));
    assertFalse(c.isComplete());
    appends.get(1).done().complete(0L);
    assertEquals(0, c.result().seq());
  }

  @Test
  void twoConnectionsDoNotWaitForEachOther() {
    PublishOrder one = new PublishOrder();
    PublishOrder other = new PublishOrder();
    submit(one, "r", "a", Future.succeededFuture(null));
    submit(other, "r", "x", Future.succeededFuture(null));
    assertEquals(2, appends.size(), "x goes out while a's append is still in flight");
  }

  @Test
  void noAppendHoldsMoreThanTheBatchLimit() {
    PublishOrder order = new PublishOrder();
    submit(order, "r", "first", Future.succeededFuture(null));
    for (int i = 0; i < PublishOrder.MAX_BATCH + 5; i++) {
      submit(order, "r", "m" + i, Future.succeededFuture(null));
    }
    appends.get(0).done().complete(0L);
    assertEquals(PublishOrder.MAX_BATCH, appends.get(1).items().size());
    appends.get(1).done().complete(100L);
    assertEquals(5, appends.get(2).items().size());
  }
}
