package dev.switchboard.backend;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BackendOptionsTest {

  @Test
  void theRebalanceOptionsSurviveAJsonRoundTripAndACopy() {
    BackendOptions options = new BackendOptions().setRebalanceIntervalMs(750).setRebalanceDeadlineMs(3_000)
        .setRebalanceHoldDownMs(12_000).setRebalanceThreshold(1.25);
    for (BackendOptions copy : new BackendOptions[] {new BackendOptions(options.toJson()), new BackendOptions(options)}) {
      assertEquals(750, copy.getRebalanceIntervalMs());
      assertEquals(3_000, copy.getRebalanceDeadlineMs());
      assertEquals(12_000, copy.getRebalanceHoldDownMs());
      assertEquals(1.25, copy.getRebalanceThreshold());
    }
    assertEquals(options.toJson(), new BackendOptions(options.toJson()).toJson());
  }

  @Test
  void theLauncherReadsTheRebalanceFlagsAndEnvironment() {
    BackendOptions defaults = BackendMain.options(BackendMain.commandLine().parse(new String[0], Map.of()));
    assertEquals(BackendOptions.DEFAULT_REBALANCE_INTERVAL_MS, defaults.getRebalanceIntervalMs());
    assertEquals(BackendOptions.DEFAULT_REBALANCE_DEADLINE_MS, defaults.getRebalanceDeadlineMs());
    assertEquals(BackendOptions.DEFAULT_REBALANCE_HOLD_DOWN_MS, defaults.getRebalanceHoldDownMs());
    BackendOptions set = BackendMain.options(BackendMain.commandLine().parse(
        new String[] {"--rebalance-interval-ms", "500", "--rebalance-deadline-ms", "4000"},
        Map.of("SWITCHBOARD_REBALANCE_HOLD_DOWN_MS", "0")));
    assertEquals(500, set.getRebalanceIntervalMs());
    assertEquals(4_000, set.getRebalanceDeadlineMs());
    assertEquals(0, set.getRebalanceHoldDownMs());
  }

  @Test
  void aNegativeHoldDownOrDeadlineOrANonPositiveIntervalIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setRebalanceHoldDownMs(-1));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setRebalanceDeadlineMs(-1));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setRebalanceIntervalMs(0));
  }
}
