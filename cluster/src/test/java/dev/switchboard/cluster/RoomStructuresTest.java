package dev.switchboard.cluster;

import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RoomStructuresTest {

  private final com.hazelcast.config.Config config = new ClusterOptions().toHazelcastConfig();

  @Test
  void aMergeDiscardsTheSmallerSidesRoomHistoryAndPublishIdsTogether() {
    var ring = config.findRingbufferConfig(ClusterNames.ROOM_PREFIX + "lobby");
    assertEquals(DiscardMergePolicy.class.getName(), ring.getMergePolicyConfig().getPolicy());
    assertEquals(ClusterNames.ROOM_HISTORY, ring.getCapacity());
    assertEquals(1, ring.getBackupCount());
    var ids = config.findMapConfig(ClusterNames.ROOM_IDS_MAP);
    assertEquals(DiscardMergePolicy.class.getName(), ids.getMergePolicyConfig().getPolicy());
    assertEquals(1, ids.getBackupCount());
  }

  @Test
  void aMergeKeepsActivityMarksOnlyTheSmallerSideHas() {
    var activity = config.findMapConfig(ClusterNames.ROOM_ACTIVITY_MAP);
    assertEquals(PutIfAbsentMergePolicy.class.getName(), activity.getMergePolicyConfig().getPolicy());
  }
}
