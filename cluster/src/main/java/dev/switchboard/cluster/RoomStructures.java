package dev.switchboard.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import com.hazelcast.spi.merge.PutIfAbsentMergePolicy;

/**
 * Hazelcast settings of the room structures: the history ringbuffers, the publish ids and the activity
 * marks, with what each keeps when two sides of a network split merge again. The side with fewer
 * members merges into the larger; the larger side's data always wins:
 * <ul>
 *   <li>a room's ringbuffer and its publish ids: the smaller side's copy is discarded whole
 *   ({@link DiscardMergePolicy}). Two sides that both took publishes into one room gave the same seqs to
 *   different messages; splicing them is impossible, and keeping only the ids (or only the ring) of the
 *   smaller side would ack a resend with a seq that holds another message. So whatever the smaller side
 *   stored during the split is gone after the merge, acked or not (see docs/multi-host.md);</li>
 *   <li>activity marks: an entry only the smaller side has is kept ({@link PutIfAbsentMergePolicy}), so a
 *   room in use there is not swept at once.</li>
 * </ul>
 */
public final class RoomStructures {

  /** Entries sent per merge operation: Hazelcast's default. */
  private static final int MERGE_BATCH = MergePolicyConfig.DEFAULT_BATCH_SIZE;

  private RoomStructures() {
  }

  /** Adds the room structures' configuration to {@code config}. */
  public static Config applyTo(Config config) {
    config.addRingBufferConfig(new RingbufferConfig(ClusterNames.ROOM_PREFIX + "*")
        .setCapacity(ClusterNames.ROOM_HISTORY)
        .setBackupCount(1)
        .setMergePolicyConfig(new MergePolicyConfig(DiscardMergePolicy.class.getName(), MERGE_BATCH)));
    config.addMapConfig(new MapConfig(ClusterNames.ROOM_IDS_MAP)
        .setBackupCount(1)
        .setMergePolicyConfig(new MergePolicyConfig(DiscardMergePolicy.class.getName(), MERGE_BATCH)));
    config.addMapConfig(new MapConfig(ClusterNames.ROOM_ACTIVITY_MAP)
        .setBackupCount(1)
        .setMergePolicyConfig(new MergePolicyConfig(PutIfAbsentMergePolicy.class.getName(), MERGE_BATCH)));
    return config;
  }
}
