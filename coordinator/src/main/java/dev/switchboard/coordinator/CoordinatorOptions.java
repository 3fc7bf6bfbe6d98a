package dev.switchboard.coordinator;

import dev.switchboard.cluster.AllowedOrigins;
import dev.switchboard.cluster.ServerTls;
import io.vertx.core.json.JsonObject;

/** Settings of one coordinator verticle, with defaults that suit a single machine. */
public final class CoordinatorOptions {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  /** Change events kept for resume with Last-Event-ID; older ids get a fresh snapshot. */
  public static final int DEFAULT_HISTORY_SIZE = 4096;
  public static final long DEFAULT_KEEP_ALIVE_MS = 15_000;
  public static final long DEFAULT_RETRY_MS = 2_000;
  public static final int DEFAULT_MAX_SUBSCRIBERS = 60_000;
  /** Bytes a subscriber may have unread in its write queue before it is disconnected. */
  public static final int DEFAULT_SUBSCRIBER_QUEUE_BYTES = 256 * 1024;
  public static final String DEFAULT_ALLOWED_ORIGIN = "*";
  /** Fan-out shards (HTTP servers on their own event loops, one port): 0 = one per event loop of the Vert.x instance. */
  public static final int DEFAULT_FAN_OUT_SHARDS = 0;
  /**
   * A backend node not heard from for this long is suspect: its backends stay listed, flagged
   * {@code "suspect": true}, and clients open no new connection to them.
   */
  public static final long DEFAULT_SUSPECT_MS = 1_000;
  /** A backend node not heard from for this long has its backends hidden (reason {@code expired}). */
  public static final long DEFAULT_LIVENESS_TIMEOUT_MS = 2_500;
  /** How often deadlines are checked. */
  public static final long DEFAULT_LIVENESS_CHECK_MS = 100;
  /** Distinct client addresses that must report a backend unreachable, within the window, to hide it. */
  public static final int DEFAULT_REPORT_THRESHOLD = 3;
  public static final long DEFAULT_REPORT_WINDOW_MS = 30_000;
  /** How long a backend reported unreachable (and failing the coordinator's probe) stays off the list before it is tried again. */
  public static final long DEFAULT_QUARANTINE_MS = 30_000;
  /**
   * Deadline of the coordinator's own probe (TCP connect + WebSocket upgrade) of a backend that clients
   * reported unreachable; only a failed probe quarantines it.
   */
  public static final long DEFAULT_PROBE_TIMEOUT_MS = 2_000;
  /**
   * An HTTP connection with nothing read or written for this long is closed. Streams write a keep-alive
   * every {@link #DEFAULT_KEEP_ALIVE_MS}, so this must exceed the keep-alive period.
   */
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
  /** A connection that has not sent a complete request head (line and headers) this long after it opened, or after its last response, is closed. */
  public static final long DEFAULT_HEADER_TIMEOUT_MS = 10_000;

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private int historySize = DEFAULT_HISTORY_SIZE;
  private long keepAliveMs = DEFAULT_KEEP_ALIVE_MS;
  private long retryMs = DEFAULT_RETRY_MS;
  private int maxSubscribers = DEFAULT_MAX_SUBSCRIBERS;
  private int subscriberQueueBytes = DEFAULT_SUBSCRIBER_QUEUE_BYTES;
  private String allowedOrigin = DEFAULT_ALLOWED_ORIGIN;
  private int fanOutShards = DEFAULT_FAN_OUT_SHARDS;
  private long suspectMs = DEFAULT_SUSPECT_MS;
  private long livenessTimeoutMs = DEFAULT_LIVENESS_TIMEOUT_MS;
  private long livenessCheckMs = DEFAULT_LIVENESS_CHECK_MS;
  private String adminToken;
  private int reportThreshold = DEFAULT_REPORT_THRESHOLD;
  private long reportWindowMs = DEFAULT_REPORT_WINDOW_MS;
  private long quarantineMs = DEFAULT_QUARANTINE_MS;
  private long probeTimeoutMs = DEFAULT_PROBE_TIMEOUT_MS;
  private long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
  private long headerTimeoutMs = DEFAULT_HEADER_TIMEOUT_MS;
  private String tlsCert;
  private String tlsKey;

  public CoordinatorOptions() {
  }

  public CoordinatorOptions(CoordinatorOptions other) {
    this(other.toJson());
  }

  public CoordinatorOptions(JsonObject json) {
    host = json.getString("host", DEFAULT_HOST);
    port = json.getInteger("port", DEFAULT_PORT);
    historySize = json.getInteger("historySize", DEFAULT_HISTORY_SIZE);
    keepAliveMs = json.getLong("keepAliveMs", DEFAULT_KEEP_ALIVE_MS);
    retryMs = json.getLong("retryMs", DEFAULT_RETRY_MS);
    maxSubscribers = json.getInteger("maxSubscribers", DEFAULT_MAX_SUBSCRIBERS);
    subscriberQueueBytes = json.getInteger("subscriberQueueBytes", DEFAULT_SUBSCRIBER_QUEUE_BYTES);
    allowedOrigin = json.getString("allowedOrigin", DEFAULT_ALLOWED_ORIGIN);
    fanOutShards = json.getInteger("fanOutShards", DEFAULT_FAN_OUT_SHARDS);
    suspectMs = json.getLong("suspectMs", DEFAULT_SUSPECT_MS);
    livenessTimeoutMs = json.getLong("livenessTimeoutMs", DEFAULT_LIVENESS_TIMEOUT_MS);
    livenessCheckMs = json.getLong("livenessCheckMs", DEFAULT_LIVENESS_CHECK_MS);
    adminToken = json.getString("adminToken");
    reportThreshold = json.getInteger("reportThreshold", DEFAULT_REPORT_THRESHOLD);
    reportWindowMs = json.getLong("reportWindowMs", DEFAULT_REPORT_WINDOW_MS);
    quarantineMs = json.getLong("quarantineMs", DEFAULT_QUARANTINE_MS);
    probeTimeoutMs = json.getLong("probeTimeoutMs", DEFAULT_PROBE_TIMEOUT_MS);
    idleTimeoutMs = json.getLong("idleTimeoutMs", DEFAULT_IDLE_TIMEOUT_MS);
    headerTimeoutMs = json.getLong("headerTimeoutMs", DEFAULT_HEADER_TIMEOUT_MS);
    tlsCert = json.getString("tlsCert");
    tlsKey = json.getString("tlsKey");
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("host", host)
        .put("port", port)
        .put("historySize", historySize)
        .put("keepAliveMs", keepAliveMs)
        .put("retryMs", retryMs)
        .put("maxSubscribers", maxSubscribers)
        .put("subscriberQueueBytes", subscriberQueueBytes)
        .put("allowedOrigin", allowedOrigin)
        .put("fanOutShards", fanOutShards)
        .put("suspectMs", suspectMs)
        .put("livenessTimeoutMs", livenessTimeoutMs)
        .put("livenessCheckMs", livenessCheckMs)
        .put("reportThreshold", reportThreshold)
        .put("reportWindowMs", reportWindowMs)
        .put("quarantineMs", quarantineMs)
        .put("probeTimeoutMs", probeTimeoutMs)
        .put("idleTimeoutMs", idleTimeoutMs)
        .put("headerTimeoutMs", headerTimeoutMs)
        .put("tlsCert", tlsCert)
        .put("tlsKey", tlsKey);
    return adminToken == null ? json : json.put("adminToken", adminToken);
  }

  public String getHost() {
    return host;
  }

  public CoordinatorOptions setHost(String host) {
    this.host = host;
    return this;
  }

  public int getPort() {
    return port;
  }

  public CoordinatorOptions setPort(int port) {
    this.port = port;
    return this;
  }

  public int getHistorySize() {
    return historySize;
  }

  public CoordinatorOptions setHistorySize(int historySize) {
    if (historySize < 1) {
      throw new IllegalArgumentException("historySize must be >= 1, got " + historySize);
    }
    this.historySize = historySize;
    return this;
  }

  public long getKeepAliveMs() {
    return keepAliveMs;
  }

  public CoordinatorOptions setKeepAliveMs(long keepAliveMs) {
    this.keepAliveMs = keepAliveMs;
    return this;
  }

  public long getRetryMs() {
    return retryMs;
  }

  public CoordinatorOptions setRetryMs(long retryMs) {
    this.retryMs = retryMs;
    return this;
  }

  public int getMaxSubscribers() {
    return maxSubscribers;
  }

  public CoordinatorOptions setMaxSubscribers(int maxSubscribers) {
    this.maxSubscribers = maxSubscribers;
    return this;
  }

  public int getSubscriberQueueBytes() {
    return subscriberQueueBytes;
  }

  public CoordinatorOptions setSubscriberQueueBytes(int subscriberQueueBytes) {
    this.subscriberQueueBytes = subscriberQueueBytes;
    return this;
  }

  public String getAllowedOrigin() {
    return allowedOrigin;
  }

  /**
   * CORS: {@code *} (every origin, the default) or a comma-separated list of origins, each echoed back in
   * {@code Access-Control-Allow-Origin} to a request that sends it ({@link AllowedOrigins}).
   */
  public CoordinatorOptions setAllowedOrigin(String allowedOrigin) {
    AllowedOrigins.parse(allowedOrigin);
    this.allowedOrigin = allowedOrigin;
    return this;
  }

  public int getFanOutShards() {
    return fanOutShards;
  }

  /**
   * Event loops the SSE subscribers are spread over, each with its own HTTP server on the same port;
   * 0 (the default) = one per event loop.
   */
  public CoordinatorOptions setFanOutShards(int fanOutShards) {
    if (fanOutShards < 0 || fanOutShards > 1024) {
      throw new IllegalArgumentException("fanOutShards must be in 0..1024 (0 = one per event loop), got " + fanOutShards);
    }
    this.fanOutShards = fanOutShards;
    return this;
  }

  public long getSuspectMs() {
    return suspectMs;
  }

  /** Silence after which a node is suspect; at or above the liveness timeout there is no suspect stage. */
  public CoordinatorOptions setSuspectMs(long suspectMs) {
    this.suspectMs = positive("suspectMs", suspectMs);
    return this;
  }

  public long getLivenessTimeoutMs() {
    return livenessTimeoutMs;
  }

  public CoordinatorOptions setLivenessTimeoutMs(long livenessTimeoutMs) {
    this.livenessTimeoutMs = positive("livenessTimeoutMs", livenessTimeoutMs);
    return this;
  }

  public long getLivenessCheckMs() {
    return livenessCheckMs;
  }

  public CoordinatorOptions setLivenessCheckMs(long livenessCheckMs) {
    this.livenessCheckMs = positive("livenessCheckMs", livenessCheckMs);
    return this;
  }

  private static long positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, got " + value);
    }
    return value;
  }

  /** The bearer token of the admin endpoints; null (the default) means there are no admin endpoints. */
  public String getAdminToken() {
    return adminToken;
  }

  public CoordinatorOptions setAdminToken(String adminToken) {
    this.adminToken = adminToken == null || adminToken.isEmpty() ? null : adminToken;
    return this;
  }

  public int getReportThreshold() {
    return reportThreshold;
  }

  public CoordinatorOptions setReportThreshold(int reportThreshold) {
    if (reportThreshold < 2) {
      throw new IllegalArgumentException("reportThreshold must be >= 2 so that one client cannot evict a backend, got "
          + reportThreshold);
    }
    this.reportThreshold = reportThreshold;
    return this;
  }

  public long getReportWindowMs() {
    return reportWindowMs;
  }

  public CoordinatorOptions setReportWindowMs(long reportWindowMs) {
    this.reportWindowMs = reportWindowMs;
    return this;
  }

  public long getQuarantineMs() {
    return quarantineMs;
  }

  public CoordinatorOptions setQuarantineMs(long quarantineMs) {
    this.quarantineMs = quarantineMs;
    return this;
  }

  public long getProbeTimeoutMs() {
    return probeTimeoutMs;
  }

  public CoordinatorOptions setProbeTimeoutMs(long probeTimeoutMs) {
    this.probeTimeoutMs = positive("probeTimeoutMs", probeTimeoutMs);
    return this;
  }

  public long getIdleTimeoutMs() {
    return idleTimeoutMs;
  }

  /** Closes HTTP connections idle this long; must exceed the keep-alive period (checked at start). */
  public CoordinatorOptions setIdleTimeoutMs(long idleTimeoutMs) {
    this.idleTimeoutMs = positive("idleTimeoutMs", idleTimeoutMs);
    return this;
  }

  public long getHeaderTimeoutMs() {
    return headerTimeoutMs;
  }

  /** Closes a connection that does not complete a request head this long after it opened or after its last response. */
  public CoordinatorOptions setHeaderTimeoutMs(long headerTimeoutMs) {
    this.headerTimeoutMs = positive("headerTimeoutMs", headerTimeoutMs);
    return this;
  }

  public String getTlsCert() {
    return tlsCert;
  }

  /** PEM certificate (chain) file: with {@link #setTlsKey} the coordinator serves {@code https://}; null: plain http. */
  public CoordinatorOptions setTlsCert(String tlsCert) {
    this.tlsCert = tlsCert == null || tlsCert.isBlank() ? null : tlsCert;
    return this;
  }

  public String getTlsKey() {
    return tlsKey;
  }

  /** PEM private key file of {@link #setTlsCert}. */
  public CoordinatorOptions setTlsKey(String tlsKey) {
    this.tlsKey = tlsKey == null || tlsKey.isBlank() ? null : tlsKey;
    return this;
  }

  /** The TLS settings of the HTTP server, null when TLS is off; checks that both files are set and readable. */
  public ServerTls serverTls() {
    return ServerTls.of(tlsCert, tlsKey);
  }

  /**
   * Checks the settings that only make sense together: the idle timeout must exceed the keep-alive
   * period, or every quiet SSE stream would be cut.
   *
   * @throws IllegalArgumentException naming the conflict
   */
  public CoordinatorOptions validate() {
    if (idleTimeoutMs <= keepAliveMs) {
      throw new IllegalArgumentException("idleTimeoutMs (" + idleTimeoutMs + ") must exceed keepAliveMs (" + keepAliveMs
          + "): streams are kept alive by a comment every keepAliveMs");
    }
    serverTls();
    return this;
  }
}
