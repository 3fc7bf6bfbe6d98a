package dev.switchboard.backend;

import dev.switchboard.cluster.AllowedOrigins;
import dev.switchboard.cluster.ServerTls;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.json.JsonObject;

/** Settings shared by the backend verticles of one node. */
public final class BackendOptions {

  public static final int DEFAULT_INSTANCES = 3;
  /** Verticle i listens on portBase + i; 0 lets the OS pick a free port for each. */
  public static final int DEFAULT_PORT_BASE = 9000;
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final String DEFAULT_PUBLIC_HOST = "127.0.0.1";
  public static final int DEFAULT_CAPACITY = 10_000;
  public static final long DEFAULT_HEARTBEAT_MS = 5_000;
  /** Load changes are written to the registry at most this often. */
  public static final long DEFAULT_LOAD_REPORT_MS = 1_000;
  public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
  /** The node's heartbeat to the coordinators. */
  public static final long DEFAULT_LIVENESS_INTERVAL_MS = 500;
  /** Each record is rewritten this often even when unchanged, so a node that was dropped heals. */
  public static final long DEFAULT_REFRESH_MS = 5_000;
  /** Messages a connection may send per second, on average. */
  public static final int DEFAULT_MESSAGES_PER_SECOND = 100;
  /** Messages a connection may send at once before the rate applies. */
  public static final int DEFAULT_MESSAGE_BURST = 200;
  /** Messages dropped for rate within about ten seconds before the connection is closed with 1008. */
  public static final int DEFAULT_ABUSE_LIMIT = 50;
  /** Server ping frames this often; a connection that answered none of the last one is closed. */
  public static final long DEFAULT_PING_INTERVAL_MS = 15_000;
  /** A connection must complete its request head (the upgrade) within this after it opened: against slowloris. */
  public static final long DEFAULT_HEADER_TIMEOUT_MS = 10_000;
  /** Clients get this long to move when a backend drains (SIGTERM, admin drain, scale-in). */
  public static final long DEFAULT_DRAIN_MS = 10_000;
  /** Rebalance: on, judged this often; a backend above this × its weighted fair share sheds what the others lack. */
  public static final boolean DEFAULT_REBALANCE = true;
  public static final long DEFAULT_REBALANCE_INTERVAL_MS = 1_000;
  public static final double DEFAULT_REBALANCE_THRESHOLD = 1.05;
  /**
   * Clients asked to move by a rebalance get this long (they move at a random moment within half of
   * it, so 2 s spreads the moves over 1 s); shorter than a drain, as their backend is not leaving.
   */
  public static final long DEFAULT_REBALANCE_DEADLINE_MS = 2_000;
  /** A client connected for less than this is never asked to move by a rebalance: it may have just moved. */
  public static final long DEFAULT_REBALANCE_HOLD_DOWN_MS = 30_000;
  /** Browser origins whose pages may open a WebSocket here: any ({@link AllowedOrigins}). */
  public static final String DEFAULT_ALLOWED_ORIGINS = AllowedOrigins.ANY;
  /** Rooms one connection may be in at once; a join past it gets {@code error too-many-rooms}. */
  public static final int DEFAULT_MAX_ROOMS_PER_CONNECTION = 100;
  /**
   * Rooms a backend node uses at once (joined here, or used here within the room TTL); a join or publish
   * of a new room past it gets {@code error too-many-rooms}.
   */
  public static final int DEFAULT_MAX_ROOMS_PER_NODE = 10_000;
  /** A room (its ringbuffer, history and publish ids) is destroyed after this long unused on every backend. */
  public static final long DEFAULT_ROOM_TTL_MS = 600_000;
  /** Unsent bytes a connection may have queued before it is closed as a slow consumer (4008). */
  public static final long DEFAULT_MAX_OUTBOUND_BYTES = 1_048_576;

  private int instances = DEFAULT_INSTANCES;
  private int portBase = DEFAULT_PORT_BASE;
  private String host = DEFAULT_HOST;
  private String publicHost = DEFAULT_PUBLIC_HOST;
  private String service = BackendRecord.DEFAULT_SERVICE;
  private String zone = BackendRecord.DEFAULT_ZONE;
  private int capacity = DEFAULT_CAPACITY;
  private int weight = BackendRecord.DEFAULT_WEIGHT;
  private long heartbeatMs = DEFAULT_HEARTBEAT_MS;
  private long loadReportMs = DEFAULT_LOAD_REPORT_MS;
  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private long livenessIntervalMs = DEFAULT_LIVENESS_INTERVAL_MS;
  private long refreshMs = DEFAULT_REFRESH_MS;
  private int messagesPerSecond = DEFAULT_MESSAGES_PER_SECOND;
  private int messageBurst = DEFAULT_MESSAGE_BURST;
  private int abuseLimit = DEFAULT_ABUSE_LIMIT;
  private long pingIntervalMs = DEFAULT_PING_INTERVAL_MS;
  private long headerTimeoutMs = DEFAULT_HEADER_TIMEOUT_MS;
  private long drainMs = DEFAULT_DRAIN_MS;
  private boolean rebalance = DEFAULT_REBALANCE;
  private long rebalanceIntervalMs = DEFAULT_REBALANCE_INTERVAL_MS;
  private double rebalanceThreshold = DEFAULT_REBALANCE_THRESHOLD;
  private long rebalanceDeadlineMs = DEFAULT_REBALANCE_DEADLINE_MS;
  private long rebalanceHoldDownMs = DEFAULT_REBALANCE_HOLD_DOWN_MS;
  private String ticketSecret;
  private String ticketPublicKey;
  private String ticketJwks;
  private String allowedOrigins = DEFAULT_ALLOWED_ORIGINS;
  private int maxRoomsPerConnection = DEFAULT_MAX_ROOMS_PER_CONNECTION;
  private int maxRoomsPerNode = DEFAULT_MAX_ROOMS_PER_NODE;
  private long roomTtlMs = DEFAULT_ROOM_TTL_MS;
  private long maxOutboundBytes = DEFAULT_MAX_OUTBOUND_BYTES;
  private String tlsCert;
  private String tlsKey;

  public BackendOptions() {
  }

  public BackendOptions(BackendOptions other) {
    this(other.toJson());
  }

  public BackendOptions(JsonObject json) {
    BackendOptionsConverter.fromJson(json, this);
  }

  public JsonObject toJson() {
    return BackendOptionsConverter.toJson(this);
  }

  public int getInstances() {
    return instances;
  }

  public BackendOptions setInstances(int instances) {
    if (instances < 0) {
      throw new IllegalArgumentException("instances must be >= 0, got " + instances);
    }
    this.instances = instances;
    return this;
  }

  public int getPortBase() {
    return portBase;
  }

  public BackendOptions setPortBase(int portBase) {
    this.portBase = portBase;
    return this;
  }

  public String getHost() {
    return host;
  }

  public BackendOptions setHost(String host) {
    this.host = host;
    return this;
  }

  public String getPublicHost() {
    return publicHost;
  }

  public BackendOptions setPublicHost(String publicHost) {
    this.publicHost = publicHost;
    return this;
  }

  public String getService() {
    return service;
  }

  public BackendOptions setService(String service) {
    this.service = service;
    return this;
  }

  public String getZone() {
    return zone;
  }

  public BackendOptions setZone(String zone) {
    this.zone = zone;
    return this;
  }

  public int getCapacity() {
    return capacity;
  }

  public BackendOptions setCapacity(int capacity) {
    this.capacity = capacity;
    return this;
  }

  public int getWeight() {
    return weight;
  }

  public BackendOptions setWeight(int weight) {
    this.weight = weight;
    return this;
  }

  public long getHeartbeatMs() {
    return heartbeatMs;
  }

  public BackendOptions setHeartbeatMs(long heartbeatMs) {
    this.heartbeatMs = heartbeatMs;
    return this;
  }

  public long getLoadReportMs() {
    return loadReportMs;
  }

  public BackendOptions setLoadReportMs(long loadReportMs) {
    this.loadReportMs = loadReportMs;
    return this;
  }

  public int getMaxFrameBytes() {
    return maxFrameBytes;
  }

  public BackendOptions setMaxFrameBytes(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
    return this;
  }

  public long getLivenessIntervalMs() {
    return livenessIntervalMs;
  }

  public BackendOptions setLivenessIntervalMs(long livenessIntervalMs) {
    this.livenessIntervalMs = livenessIntervalMs;
    return this;
  }

  public long getRefreshMs() {
    return refreshMs;
  }

  public BackendOptions setRefreshMs(long refreshMs) {
    this.refreshMs = refreshMs;
    return this;
  }

  public int getMessagesPerSecond() {
    return messagesPerSecond;
  }

  public BackendOptions setMessagesPerSecond(int messagesPerSecond) {
    this.messagesPerSecond = messagesPerSecond;
    return this;
  }

  public int getMessageBurst() {
    return messageBurst;
  }

  public BackendOptions setMessageBurst(int messageBurst) {
    this.messageBurst = messageBurst;
    return this;
  }

  public int getAbuseLimit() {
    return abuseLimit;
  }

  public BackendOptions setAbuseLimit(int abuseLimit) {
    this.abuseLimit = abuseLimit;
    return this;
  }

  public long getPingIntervalMs() {
    return pingIntervalMs;
  }

  public BackendOptions setPingIntervalMs(long pingIntervalMs) {
    this.pingIntervalMs = pingIntervalMs;
    return this;
  }

  public long getHeaderTimeoutMs() {
    return headerTimeoutMs;
  }

  /** A connection that has not completed its request head this long after it opened is closed; 0 turns it off. */
  public BackendOptions setHeaderTimeoutMs(long headerTimeoutMs) {
    this.headerTimeoutMs = headerTimeoutMs;
    return this;
  }

  public long getDrainMs() {
    return drainMs;
  }

  public BackendOptions setDrainMs(long drainMs) {
    this.drainMs = drainMs;
    return this;
  }

  public boolean isRebalance() {
    return rebalance;
  }

  public BackendOptions setRebalance(boolean rebalance) {
    this.rebalance = rebalance;
    return this;
  }

  public long getRebalanceIntervalMs() {
    return rebalanceIntervalMs;
  }

  public BackendOptions setRebalanceIntervalMs(long rebalanceIntervalMs) {
    if (rebalanceIntervalMs <= 0) {
      throw new IllegalArgumentException("rebalanceIntervalMs must be > 0, got " + rebalanceIntervalMs);
    }
    this.rebalanceIntervalMs = rebalanceIntervalMs;
    return this;
  }

  public double getRebalanceThreshold() {
    return rebalanceThreshold;
  }

  public BackendOptions setRebalanceThreshold(double rebalanceThreshold) {
    if (rebalanceThreshold < 1.0) {
      throw new IllegalArgumentException("rebalanceThreshold must be >= 1.0, got " + rebalanceThreshold);
    }
    this.rebalanceThreshold = rebalanceThreshold;
    return this;
  }

  public long getRebalanceDeadlineMs() {
    return rebalanceDeadlineMs;
  }

  public BackendOptions setRebalanceDeadlineMs(long rebalanceDeadlineMs) {
    if (rebalanceDeadlineMs < 0) {
      throw new IllegalArgumentException("rebalanceDeadlineMs must be >= 0, got " + rebalanceDeadlineMs);
    }
    this.rebalanceDeadlineMs = rebalanceDeadlineMs;
    return this;
  }

  public long getRebalanceHoldDownMs() {
    return rebalanceHoldDownMs;
  }

  public BackendOptions setRebalanceHoldDownMs(long rebalanceHoldDownMs) {
    if (rebalanceHoldDownMs < 0) {
      throw new IllegalArgumentException("rebalanceHoldDownMs must be >= 0, got " + rebalanceHoldDownMs);
    }
    this.rebalanceHoldDownMs = rebalanceHoldDownMs;
    return this;
  }

  public String getTicketSecret() {
    return ticketSecret;
  }

  /** The HS256 key tickets are signed with (at least 32 bytes in UTF-8); null: none. Carried by {@link #toJson()}. */
  public BackendOptions setTicketSecret(String ticketSecret) {
    this.ticketSecret = blankToNull(ticketSecret);
    return this;
  }

  public String getTicketPublicKey() {
    return ticketPublicKey;
  }

  /** The PEM text of the RS256/ES256 public key (or certificate) tickets are verified with; null: none. */
  public BackendOptions setTicketPublicKey(String ticketPublicKey) {
    this.ticketPublicKey = blankToNull(ticketPublicKey);
    return this;
  }

  public String getTicketJwks() {
    return ticketJwks;
  }

  /** The JSON text of a JWK Set whose RSA and EC P-256 keys verify tickets; null: none. */
  public BackendOptions setTicketJwks(String ticketJwks) {
    this.ticketJwks = blankToNull(ticketJwks);
    return this;
  }

  /** Whether a ticket key is set: clients then need a valid {@code ?ticket=} to connect. */
  public boolean hasTicketKeys() {
    return ticketSecret != null || ticketPublicKey != null || ticketJwks != null;
  }

  public String getAllowedOrigins() {
    return allowedOrigins;
  }

  /**
   * {@code *} (the default) or a comma-separated list of the origins whose pages may open a WebSocket
   * here; an upgrade with another {@code Origin} header gets 403 ({@link AllowedOrigins}).
   */
  public BackendOptions setAllowedOrigins(String allowedOrigins) {
    AllowedOrigins.parse(allowedOrigins);
    this.allowedOrigins = allowedOrigins;
    return this;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  public int getMaxRoomsPerConnection() {
    return maxRoomsPerConnection;
  }

  public BackendOptions setMaxRoomsPerConnection(int maxRoomsPerConnection) {
    if (maxRoomsPerConnection <= 0) {
      throw new IllegalArgumentException("maxRoomsPerConnection must be > 0, got " + maxRoomsPerConnection);
    }
    this.maxRoomsPerConnection = maxRoomsPerConnection;
    return this;
  }

  public int getMaxRoomsPerNode() {
    return maxRoomsPerNode;
  }

  public BackendOptions setMaxRoomsPerNode(int maxRoomsPerNode) {
    if (maxRoomsPerNode <= 0) {
      throw new IllegalArgumentException("maxRoomsPerNode must be > 0, got " + maxRoomsPerNode);
    }
    this.maxRoomsPerNode = maxRoomsPerNode;
    return this;
  }

  public long getRoomTtlMs() {
    return roomTtlMs;
  }

  public BackendOptions setRoomTtlMs(long roomTtlMs) {
    if (roomTtlMs < 1_000) {
      throw new IllegalArgumentException("roomTtlMs must be >= 1000, got " + roomTtlMs);
    }
    this.roomTtlMs = roomTtlMs;
    return this;
  }

  public long getMaxOutboundBytes() {
    return maxOutboundBytes;
  }

  public BackendOptions setMaxOutboundBytes(long maxOutboundBytes) {
    if (maxOutboundBytes <= 0) {
      throw new IllegalArgumentException("maxOutboundBytes must be > 0, got " + maxOutboundBytes);
    }
    this.maxOutboundBytes = maxOutboundBytes;
    return this;
  }

  public String getTlsCert() {
    return tlsCert;
  }

  /** PEM certificate (chain) file: with {@link #setTlsKey} the backends serve {@code wss://} and advertise it; null: plain ws. */
  public BackendOptions setTlsCert(String tlsCert) {
    this.tlsCert = blankToNull(tlsCert);
    return this;
  }

  public String getTlsKey() {
    return tlsKey;
  }

  /** PEM private key file of {@link #setTlsCert}. */
  public BackendOptions setTlsKey(String tlsKey) {
    this.tlsKey = blankToNull(tlsKey);
    return this;
  }

  /** The TLS settings of the backends' server, null when TLS is off; checks that both files are set and readable. */
  public ServerTls serverTls() {
    return ServerTls.of(tlsCert, tlsKey);
  }
}
