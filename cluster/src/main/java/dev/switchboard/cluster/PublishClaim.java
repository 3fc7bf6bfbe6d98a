package dev.switchboard.cluster;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Claims a publish id in {@link ClusterNames#ROOM_IDS_MAP} in one asynchronous round trip
 * ({@code IMap.submitToKey}; IMap has no asynchronous {@code putIfAbsent}): an absent key is set to
 * {@link #PENDING} for the TTL. Returns the value that was there — null when this call claimed the id,
 * {@link #PENDING} while another publish stores it, else the seq it was stored at. Lives in this module
 * because every cluster member, coordinators included, runs it on the key's partition. Sent as
 * {@link DataSerializable} (Java serialization cost several times the claim itself).
 */
public final class PublishClaim implements EntryProcessor<String, Long, Long>, DataSerializable {

  /** The value of a claimed id whose message is not stored yet. */
  public static final long PENDING = -1L;

  private long ttlMs;

  /** For Hazelcast's deserialization only. */
  public PublishClaim() {
  }

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

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeLong(ttlMs);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    ttlMs = in.readLong();
  }
}
