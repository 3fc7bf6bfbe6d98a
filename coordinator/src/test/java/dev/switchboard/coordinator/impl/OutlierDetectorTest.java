package dev.switchboard.coordinator.impl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutlierDetectorTest {

  private final OutlierDetector detector = new OutlierDetector(3, 1_000, 5_000, 8);

  @Test
  void threeDistinctReportersQuarantineABackend() {
    assertFalse(detector.report("b", "10.0.0.1", 0));
    assertFalse(detector.report("b", "10.0.0.2", 10));
    assertTrue(detector.report("b", "10.0.0.3", 20));
    assertTrue(detector.isQuarantined("b"));
  }

  @Test
  void oneReporterCannotEvictABackendAlone() {
    for (int i = 0; i < 100; i++) {
      assertFalse(detector.report("b", "10.0.0.1", i));
    }
    assertEquals(1, detector.reporters("b", 100));
  }

  @Test
  void reportsOlderThanTheWindowDoNotCount() {
    detector.report("b", "a", 0);
    detector.report("b", "c", 10);
    assertFalse(detector.report("b", "d", 1_500), "the first two are outside the window by now");
    assertEquals(1, detector.reporters("b", 1_500));
  }

  @Test
  void quarantineEndsAndTheBackendStartsAfresh() {
    detector.report("b", "1", 0);
    detector.report("b", "2", 0);
    detector.report("b", "3", 0);
    assertEquals(List.of(), detector.release(4_999));
    assertEquals(List.of("b"), detector.release(5_000));
    assertFalse(detector.isQuarantined("b"));
    assertEquals(0, detector.reporters("b", 5_000));
  }

  @Test
  void reportersPerBackendAreBounded() {
    OutlierDetector small = new OutlierDetector(100, 1_000_000, 1, 4);
    for (int i = 0; i < 50; i++) {
      small.report("b", "r" + i, i);
    }
    assertEquals(4, small.reporters("b", 50));
  }
}
