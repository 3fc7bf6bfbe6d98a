package dev.switchboard.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

  @Test
  void fullJitterStaysUnderTheCappedExponential() {
    assertEquals(0, Backoff.delayMs(0, 250, 10_000, () -> 0.0));
    assertEquals(249, Backoff.delayMs(0, 250, 10_000, () -> 0.999));
    assertEquals(999, Backoff.delayMs(2, 250, 10_000, () -> 0.999));
    assertEquals(9_990, Backoff.delayMs(50, 250, 10_000, () -> 0.999), "capped, and no overflow at large attempts");
    for (int attempt = 0; attempt < 40; attempt++) {
      long d = Backoff.delayMs(attempt, 250, 10_000, Math::random);
      assertTrue(d >= 0 && d < 10_000);
    }
  }

  @Test
  void partialJitterKeepsTheDelayInTheUpperPartOfTheCap() {
    assertEquals(1_000, Backoff.delayMs(2, 250, 10_000, 0.0, () -> 0.5), "no jitter: the capped exponential itself");
    assertEquals(500, Backoff.delayMs(2, 250, 10_000, 0.5, () -> 0.0));
    assertEquals(999, Backoff.delayMs(2, 250, 10_000, 0.5, () -> 0.999));
  }

  @Test
  void aLostBackendsClientsSpreadOverAWindowThatKeepsEachSurvivorUnderTheRate() {
    // 400 displaced over 2 survivors at 4000/s each: a 50 ms window
    assertEquals(0, Backoff.spreadMs(400, 2, 4_000, 10_000, () -> 0.0));
    assertEquals(49, Backoff.spreadMs(400, 2, 4_000, 10_000, () -> 0.999));
    assertEquals(0, Backoff.spreadMs(1, 2, 4_000, 10_000, () -> 0.999), "a lone client goes at once");
    assertEquals(0, Backoff.spreadMs(400, 2, 0, 10_000, () -> 0.999), "rate 0 turns the spread off");
    assertEquals(9_990, Backoff.spreadMs(1_000_000, 1, 10, 10_000, () -> 0.999), "capped at maxMs");
    assertEquals(99, Backoff.spreadMs(400, 0, 4_000, 10_000, () -> 0.999), "no survivor listed yet counts as one");
  }
}
