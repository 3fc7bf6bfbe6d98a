package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenBucketTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void allowsABurstThenRefusesUntilRefilled() {
    TokenBucket bucket = new TokenBucket(3, 1, 0);
    assertTrue(bucket.tryTake(0));
    assertTrue(bucket.tryTake(0));
    assertTrue(bucket.tryTake(0));
    assertFalse(bucket.tryTake(0));
    assertFalse(bucket.tryTake(SECOND / 2));
    assertTrue(bucket.tryTake(SECOND + SECOND / 2), "one token back after a second");
    assertFalse(bucket.tryTake(SECOND + SECOND / 2));
  }

  @Test
  void neverHoldsMoreThanTheBurst() {
    TokenBucket bucket = new TokenBucket(2, 100, 0);
    long later = 3600 * SECOND;
    assertTrue(bucket.tryTake(later));
    assertTrue(bucket.tryTake(later));
    assertFalse(bucket.tryTake(later));
  }

  @Test
  void rejectsNonsenseSettings() {
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, 0));
  }
}
