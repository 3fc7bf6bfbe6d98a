package dev.switchboard.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Claims a publish id in {@link ClusterNames#ROOM_IDS_MAP} in one asynchronous round trip
 * ({@code IMap.submitToKey}; IMap has no asynchronous {@code putIfAbsent}): an absent key is set to
 * {@link #PENDING} for the TTL. Returns the value that was there — null when this call claimed the id,
 * {@link #PENDING} while another publish stores it, else the seq it was stored at. Lives in this module
 * because every cluster member, coordinators included, runs it on the key's partition.
 */
public final class PublishClaim implements EntryProcessor<String, Long, Long>, Serializable {

  /** The value of a claimed id whose message is not stored yet. */
  public static final long PENDING = -1L;

  @Serial
  private static final long serialVersionUID = 1L;

  private final long ttlMs;

  public PublishClaim(long ttlMs) {
    if (ttlMs <= 0) {
      throw new IllegalArgumentException("ttlMs must be > 0, got " + ttlMs);
    }
    this.ttlMs = ttlMs;
  }

  @Override
  public Long process(Map.Entry<String, Long> entry) {
    Long previous = entry.getValue();
    if (previous == null) {
      ((ExtendedMapEntry<String, Long>) entry).setValue(PENDING, ttlMs, TimeUnit.MILLISECONDS);
    }
    return previous;
  }
}
