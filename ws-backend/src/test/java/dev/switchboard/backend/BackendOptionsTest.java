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

  @Test
  void theRoomAndOutboundLimitsHaveDefaultsFlagsAndAJsonRoundTrip() {
    BackendOptions defaults = BackendMain.options(BackendMain.commandLine().parse(new String[0], Map.of()));
    assertEquals(100, defaults.getMaxRoomsPerConnection());
    assertEquals(10_000, defaults.getMaxRoomsPerNode());
    assertEquals(600_000, defaults.getRoomTtlMs());
    assertEquals(1_048_576, defaults.getMaxOutboundBytes());
    BackendOptions set = BackendMain.options(BackendMain.commandLine().parse(
        new String[] {"--max-rooms-per-connection", "20", "--max-rooms-per-node", "300", "--room-ttl-ms", "4000"},
        Map.of("SWITCHBOARD_MAX_OUTBOUND_BYTES", "65536")));
    BackendOptions copy = new BackendOptions(set.toJson());
    assertEquals(20, copy.getMaxRoomsPerConnection());
    assertEquals(300, copy.getMaxRoomsPerNode());
    assertEquals(4_000, copy.getRoomTtlMs());
    assertEquals(65_536, copy.getMaxOutboundBytes());
  }

  @Test
  void aRoomCapOrOutboundBoundBelowOneOrATtlUnderASecondIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setMaxRoomsPerConnection(0));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setMaxRoomsPerNode(0));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setRoomTtlMs(999));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setMaxOutboundBytes(0));
  }
}
