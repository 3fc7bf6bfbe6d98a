package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShedPickerTest {

  private record Session(String name, long connectedAtSeconds, boolean moving) {
  }

  private static final long HOLD_DOWN = TimeUnit.SECONDS.toNanos(30);

  private static List<String> pick(List<Session> oldestFirst, int count, long nowSeconds) {
    return ShedPicker.pick(oldestFirst, count, TimeUnit.SECONDS.toNanos(nowSeconds), HOLD_DOWN,
        s -> TimeUnit.SECONDS.toNanos(s.connectedAtSeconds()), Session::moving).stream().map(Session::name).toList();
  }

  @Test
  void aClientConnectedWithinTheHoldDownIsNeverAskedToMove() {
    List<Session> sessions = List.of(new Session("old", 0, false), new Session("settled", 70, false),
        new Session("just-moved-in", 85, false));
    assertEquals(List.of("old", "settled"), pick(sessions, 10, 100),
        "85 s is 15 s ago, within the 30 s hold-down");
    assertEquals(List.of(), pick(List.of(new Session("young", 90, false)), 1, 100));
  }

  @Test
  void theOldestEligibleClientsAreAskedFirstAndNoneTwice() {
    List<Session> sessions = List.of(new Session("first", 0, true), new Session("second", 10, false),
        new Session("third", 20, false), new Session("fourth", 30, false));
    assertEquals(List.of("second", "third"), pick(sessions, 2, 100), "first is moving already");
  }

  @Test
  void noMoreThanTheCountIsAsked() {
    List<Session> sessions = List.of(new Session("a", 0, false), new Session("b", 0, false));
    assertEquals(List.of("a"), pick(sessions, 1, 100));
    assertEquals(List.of(), pick(sessions, 0, 100));
  }
}
