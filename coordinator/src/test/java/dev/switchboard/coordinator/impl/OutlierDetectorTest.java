package dev.switchboard.coordinator.impl;

import dev.switchboard.coordinator.impl.OutlierDetector.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quarantine decision alone: reports, the probe they ask for, and what its outcome does. */
class OutlierDetectorTest {

  /** threshold 3, window 1,000, quarantine 5,000, quiet after a passed probe 2,000, 8 reporters kept. */
  private final OutlierDetector detector = new OutlierDetector(3, 1_000, 5_000, 2_000, 8);

  private void reportedByThree(String backend, long at) {
    detector.report(backend, "10.0.0.1", at);
    detector.report(backend, "10.0.0.2", at);
    assertEquals(Verdict.PROBE, detector.report(backend, "10.0.0.3", at));
  }

  @Test
  void threeDistinctReportersAskForAProbeAndDoNotQuarantineByThemselves() {
    assertEquals(Verdict.COUNTED, detector.report("b", "10.0.0.1", 0));
    assertEquals(Verdict.COUNTED, detector.report("b", "10.0.0.2", 10));
    assertEquals(Verdict.PROBE, detector.report("b", "10.0.0.3", 20));
    assertTrue(detector.isProbing("b"));
    assertFalse(detector.isQuarantined("b"), "reports alone never hide a backend");
  }

  @Test
  void aFailedProbeQuarantines() {
    reportedByThree("b", 0);
    assertTrue(detector.probed("b", false, 100));
    assertTrue(detector.isQuarantined("b"));
    assertFalse(detector.isProbing("b"));
  }

  @Test
  void aPassedProbeClearsTheReportsAndQuarantinesNothing() {
    reportedByThree("b", 0);
    assertFalse(detector.probed("b", true, 100));
    assertFalse(detector.isQuarantined("b"));
    assertEquals(0, detector.reporters("b", 100));
  }

  @Test
  void reportsRightAfterAPassedProbeAreIgnoredSoReportersCannotForceAProbeStorm() {
    reportedByThree("b", 0);
    detector.probed("b", true, 100);
    for (int i = 0; i < 10; i++) {
      assertEquals(Verdict.IGNORED, detector.report("b", "10.0.1." + i, 200 + i));
    }
    assertEquals(0, detector.reporters("b", 300));
    // once the quiet period is over, reports count again, and a new probe decides afresh
    detector.report("b", "10.0.0.1", 2_100);
    detector.report("b", "10.0.0.2", 2_100);
    assertEquals(Verdict.PROBE, detector.report("b", "10.0.0.3", 2_100));
    assertTrue(detector.probed("b", false, 2_200));
  }

  @Test
  void reportsDuringAProbeAreIgnoredAndAskForNoSecondProbe() {
    reportedByThree("b", 0);
    assertEquals(Verdict.IGNORED, detector.report("b", "10.0.0.4", 10));
    assertEquals(Verdict.IGNORED, detector.report("b", "10.0.0.5", 10));
    assertEquals(Verdict.IGNORED, detector.report("b", "10.0.0.6", 10));
  }

  @Test
  void theOutcomeOfAProbeOfAForgottenBackendChangesNothing() {
    reportedByThree("b", 0);
    detector.forget("b");
    assertFalse(detector.probed("b", false, 100));
    assertFalse(detector.isQuarantined("b"));
  }

  @Test
  void oneReporterCannotEvenAskForAProbe() {
    for (int i = 0; i < 100; i++) {
      assertEquals(Verdict.COUNTED, detector.report("b", "10.0.0.1", i));
    }
    assertEquals(1, detector.reporters("b", 100));
  }

  @Test
  void reportsOlderThanTheWindowDoNotCount() {
    detector.report("b", "a", 0);
    detector.report("b", "c", 10);
    assertEquals(Verdict.COUNTED, detector.report("b", "d", 1_500), "the first two are outside the window by now");
    assertEquals(1, detector.reporters("b", 1_500));
  }

  @Test
  void quarantineEndsAndTheBackendStartsAfresh() {
    reportedByThree("b", 0);
    detector.probed("b", false, 0);
    assertEquals(Verdict.IGNORED, detector.report("b", "10.0.0.9", 10), "already quarantined");
    assertEquals(List.of(), detector.release(4_999));
    assertEquals(List.of("b"), detector.release(5_000));
    assertFalse(detector.isQuarantined("b"));
    assertEquals(0, detector.reporters("b", 5_000));
  }

  @Test
  void reportersPerBackendAreBounded() {
    OutlierDetector small = new OutlierDetector(100, 1_000_000, 1, 1, 4);
    for (int i = 0; i < 50; i++) {
      small.report("b", "r" + i, i);
    }
    assertEquals(4, small.reporters("b", 50));
  }
}
