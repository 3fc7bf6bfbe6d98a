package dev.switchboard.cluster;

/** Names of the cluster-wide structures that coordinators and backends share. */
public final class ClusterNames {

  /**
   * Backend records: key = backend id, value = the record's JSON text (a {@code String}, which the
   * Vert.x Hazelcast map stores unwrapped, so coordinators read it straight from the Hazelcast IMap).
   */
  public static final String BACKENDS_MAP = "switchboard.backends";

  /**
   * Event-bus address of heartbeats: each backend publishes {@code {"node": …, "backend": …, "seq": n}}
   * every liveness interval; coordinators hide the records of a node that falls silent.
   */
  public static final String HEARTBEAT_ADDRESS = "switchboard.heartbeat";

  private ClusterNames() {
  }
}
