package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoomSlotsTest {

  private static final long TTL = 10_000;
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final RoomSlots slots = new RoomSlots(3, TTL, now::get);

  @Test
  void aNodeAtItsCapRefusesANewRoomButStillAdmitsTheRoomsItUses() {
    assertTrue(slots.open("a"));
    assertTrue(slots.open("b"));
    assertTrue(slots.publish("c"));
    assertFalse(slots.open("d"), "a fourth room");
    assertFalse(slots.publish("d"), "a publish to a fourth room");
    assertTrue(slots.open("a"), "a second verticle opening a room the node uses");
    assertTrue(slots.publish("b"));
    assertEquals(3, slots.size());
  }

  @Test
  void aRoomLeftHereKeepsItsSlotForTheTtlThenFreesIt() {
    slots.open("a");
    slots.open("b");
    slots.open("c");
    slots.close("a");
    assertFalse(slots.inUse("a"));
    now.addAndGet(TTL - 1);
    slots.due();
    assertFalse(slots.open("d"), "the room left a moment ago may still hold history: it counts");
    now.addAndGet(1);
    slots.due();
    assertTrue(slots.open("d"), "a TTL after its last use here the slot is free");
    assertEquals(3, slots.size());
  }

  @Test
  void aRoomOpenedByTwoVerticlesIsInUseUntilBothClosedIt() {
    slots.open("a");
    slots.open("a");
    slots.close("a");
    assertTrue(slots.inUse("a"));
    slots.close("a");
    assertFalse(slots.inUse("a"));
  }

  @Test
  void aPublishOnlyRoomHoldsItsSlotForTheTtlAfterItsLastPublish() {
    slots.publish("p");
    now.addAndGet(TTL / 2);
    slots.publish("p");
    now.addAndGet(TTL / 2);
    slots.due();
    assertEquals(1, slots.size(), "published to half a TTL ago");
    now.addAndGet(TTL / 2);
    slots.due();
    assertEquals(0, slots.size());
  }

  @Test
  void activityIsDueForRoomsWithMembersAndForRoomsUsedSinceTheirLastWrite() {
    slots.open("joined");
    slots.publish("published");
    slots.publish("quiet");
    slots.written("quiet", now.get());
    now.addAndGet(1);
    assertEquals(List.of("joined", "published"), sorted(slots.due()));
    slots.written("joined", now.get());
    slots.written("published", now.get());
    now.addAndGet(1);
    assertEquals(List.of("joined"), slots.due(), "members keep a room due; a write covers a publish before it");
  }

  @Test
  void aRoomNotMarkedWithinHalfTheTtlMustBeMarkedBeforeUse() {
    assertTrue(slots.stale("new"), "never written");
    slots.publish("r");
    assertTrue(slots.stale("r"));
    slots.written("r", now.get());
    now.addAndGet(TTL / 2);
    assertFalse(slots.stale("r"));
    now.addAndGet(1);
    assertTrue(slots.stale("r"));
  }

  @Test
  void manyThreadsOpeningRoomsAtOnceNeverPassTheCap() throws InterruptedException {
    RoomSlots shared = new RoomSlots(100, TTL, now::get);
    AtomicInteger admitted = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int first = t * 1_000;
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 1_000; i++) {
          if (shared.open("room-" + (first + i))) {
            admitted.incrementAndGet();
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(100, admitted.get());
    assertEquals(100, shared.size());
  }

  @Test
  void aCapOrTtlBelowOneIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new RoomSlots(0, TTL, now::get));
    assertThrows(IllegalArgumentException.class, () -> new RoomSlots(1, 0, now::get));
  }

  private static List<String> sorted(List<String> rooms) {
    return rooms.stream().sorted().toList();
  }
}
