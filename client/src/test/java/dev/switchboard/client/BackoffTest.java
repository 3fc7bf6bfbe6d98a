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
}
