package dev.switchboard.cluster;

/** Names of the cluster-wide structures that coordinators and backends share. */
public final class ClusterNames {

  /**
   * Backend records: key = backend id, value = the record's JSON text (a {@code String}, which the
   * Vert.x Hazelcast map stores unwrapped, so coordinators read it straight from the Hazelcast IMap),
   * signed with {@link ClusterSigner#sealRecord} when the cluster has a secret.
   */
  public static final String BACKENDS_MAP = "switchboard.backends";

  /**
   * Event-bus address of heartbeats: each backend publishes {@code {"node": …, "backend": …, "seq": n}}
   * every liveness interval; coordinators hide the records of a node that falls silent. Sealed with
   * {@link ClusterSigner#sealMessage} (as are reports and control commands) when the cluster has a secret.
   */
  public static final String HEARTBEAT_ADDRESS = "switchboard.heartbeat";

  /**
   * Hazelcast topic carrying the same heartbeats, as JSON text sealed for this name. Sent by a thread
   * of its own and carried by Hazelcast's threads, so a node whose event loops are busy (a connection
   * burst on a cold JVM) is still heard; a stopped or dead process is not. Coordinators count a beat on
   * either channel.
   */
  public static final String HEARTBEAT_TOPIC = "switchboard.heartbeats";

  /** Prefix of each room's Hazelcast ringbuffer: its sequence is the room's {@code seq}, its content the history. */
  public static final String ROOM_PREFIX = "switchboard.room.";
  /** Room history kept per room (ringbuffer capacity). */
  public static final int ROOM_HISTORY = 1_000;
  /**
   * Publish ids already stored: key {@code room + "\u0000" + "s:" + id} for a string id, {@code "n:" + id}
   * for an integer one; value the seq (or -1 while storing).
   */
  public static final String ROOM_IDS_MAP = "switchboard.room-ids";
  /**
   * When each room was last in use anywhere (epoch ms, a {@code Long}): every backend node rewrites it
   * for the rooms it serves, and a room idle past the room TTL is destroyed by whichever node sweeps it.
   */
  public static final String ROOM_ACTIVITY_MAP = "switchboard.room-activity";
  /** Event-bus address prefix that tells backends a room has new messages. */
  public static final String ROOM_POKE_PREFIX = "switchboard.room-poke.";

  /**
   * Event-bus address prefix of a backend node's control: {@code {"op":"scale","instances":n}} or
   * {@code {"op":"drain","backend":id,"deadlineMs":n}}; the reply is a JSON object.
   */
  public static final String NODE_CONTROL_PREFIX = "switchboard.node.";

  /** Event-bus address on which coordinators share clients' "backend unreachable" reports. */
  public static final String REPORTS_ADDRESS = "switchboard.reports";

  private ClusterNames() {
  }
}
