package dev.switchboard.client;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.PemTrustOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Settings of a {@link SwitchboardClient}, with defaults. */
public final class SwitchboardClientOptions {

  public static final String DEFAULT_SERVICE = "chat";
  public static final String DEFAULT_POLICY = "round-robin";
  public static final long DEFAULT_INTERVAL_MS = 2_000;
  public static final long DEFAULT_TIMEOUT_MS = 5_000;
  public static final long DEFAULT_BASE_MS = 250;
  public static final long DEFAULT_MAX_MS = 10_000;
  public static final double DEFAULT_JITTER = 1.0;
  public static final int DEFAULT_CONNECTIONS = 1;
  public static final int DEFAULT_QUEUE_SIZE = 1_000;
  public static final double DEFAULT_FAILOVER_RATE = 4_000;
  public static final long DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

  private List<String> coordinators = new ArrayList<>();
  private String service = DEFAULT_SERVICE;
  private String policy = DEFAULT_POLICY;
  private String key;
  /** Null until set: then the backend's {@code welcome.heartbeatMs} decides, see {@link #setIntervalMs}. */
  private Long intervalMs;
  private long timeoutMs = DEFAULT_TIMEOUT_MS;
  private long baseMs = DEFAULT_BASE_MS;
  private long maxMs = DEFAULT_MAX_MS;
  private double jitter = DEFAULT_JITTER;
  private int connections = DEFAULT_CONNECTIONS;
  private int queueSize = DEFAULT_QUEUE_SIZE;
  private double failoverRate = DEFAULT_FAILOVER_RATE;
  private long requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS;
  private Supplier<Future<String>> ticket;

  public SwitchboardClientOptions() {
  }

  public SwitchboardClientOptions(SwitchboardClientOptions other) {
    coordinators = new ArrayList<>(other.coordinators);
    service = other.service;
    policy = other.policy;
    key = other.key;
    intervalMs = other.intervalMs;
    timeoutMs = other.timeoutMs;
    baseMs = other.baseMs;
    maxMs = other.maxMs;
    jitter = other.jitter;
    connections = other.connections;
    queueSize = other.queueSize;
    failoverRate = other.failoverRate;
    requestTimeoutMs = other.requestTimeoutMs;
    ticket = other.ticket;
    trustCaPem = other.trustCaPem;
    listConnectTimeoutMs = other.listConnectTimeoutMs;
  }

  /** From JSON (the names of the getters); absent fields keep their defaults. The ticket supplier is not JSON. */
  public SwitchboardClientOptions(JsonObject json) {
    JsonArray list = json.getJsonArray("coordinators", new JsonArray());
    List<String> urls = new ArrayList<>();
    list.forEach(u -> urls.add((String) u));
    setCoordinators(urls);
    setService(json.getString("service", DEFAULT_SERVICE));
    setPolicy(json.getString("policy", DEFAULT_POLICY));
    setKey(json.getString("key"));
    if (json.getValue("intervalMs") != null) {
      setIntervalMs(json.getLong("intervalMs"));
    }
    setTimeoutMs(json.getLong("timeoutMs", DEFAULT_TIMEOUT_MS));
    setBaseMs(json.getLong("baseMs", DEFAULT_BASE_MS));
    setMaxMs(json.getLong("maxMs", DEFAULT_MAX_MS));
    setJitter(json.getDouble("jitter", DEFAULT_JITTER));
    setConnections(json.getInteger("connections", DEFAULT_CONNECTIONS));
    setQueueSize(json.getInteger("queueSize", DEFAULT_QUEUE_SIZE));
    setFailoverRate(json.getDouble("failoverRate", DEFAULT_FAILOVER_RATE));
    setRequestTimeoutMs(json.getLong("requestTimeoutMs", DEFAULT_REQUEST_TIMEOUT_MS));
    setTrustCaPem(json.getString("trustCaPem"));
    setListConnectTimeoutMs(json.getLong("listConnectTimeoutMs", BackendListStream.DEFAULT_CONNECT_TIMEOUT_MS));
  }

  /** Every option but the ticket supplier, as JSON. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("coordinators", new JsonArray(new ArrayList<Object>(coordinators)))
        .put("service", service)
        .put("policy", policy)
        .put("timeoutMs", timeoutMs)
        .put("baseMs", baseMs)
        .put("maxMs", maxMs)
        .put("jitter", jitter)
        .put("connections", connections)
        .put("queueSize", queueSize)
        .put("failoverRate", failoverRate)
        .put("requestTimeoutMs", requestTimeoutMs)
        .put("listConnectTimeoutMs", listConnectTimeoutMs);
    if (trustCaPem != null) {
      json.put("trustCaPem", trustCaPem);
    }
    if (intervalMs != null) {
      json.put("intervalMs", intervalMs);
    }
    return key == null ? json : json.put("key", key);
  }

  public List<String> getCoordinators() {
    return coordinators;
  }

  /** Coordinator base URLs such as {@code http://127.0.0.1:8080}. */
  public SwitchboardClientOptions setCoordinators(List<String> coordinators) {
    this.coordinators = new ArrayList<>(coordinators);
    return this;
  }

  public String getService() {
    return service;
  }

  public SwitchboardClientOptions setService(String service) {
    this.service = service;
    return this;
  }

  public String getPolicy() {
    return policy;
  }

  /** {@code round-robin}, {@code random}, {@code least-loaded} or {@code sticky}. */
  public SwitchboardClientOptions setPolicy(String policy) {
    this.policy = policy;
    return this;
  }

  public String getKey() {
    return key;
  }

  /** The key for {@code sticky}. */
  public SwitchboardClientOptions setKey(String key) {
    this.key = key;
    return this;
  }

  /** The ping interval set, or {@value #DEFAULT_INTERVAL_MS} when none was. */
  public long getIntervalMs() {
    return intervalMs == null ? DEFAULT_INTERVAL_MS : intervalMs;
  }

  /** True once {@link #setIntervalMs} was called (or JSON named it): the interval then wins over the backend's. */
  public boolean isIntervalMsSet() {
    return intervalMs != null;
  }

  /**
   * Heartbeat ping interval. Set, it is the interval of every connection; not set, each connection
   * uses its backend's {@code welcome.heartbeatMs} (accepted within 50 ms – 5 min), or
   * {@value #DEFAULT_INTERVAL_MS} when the welcome names none: the browser client's rule.
   */
  public SwitchboardClientOptions setIntervalMs(long intervalMs) {
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("intervalMs must be > 0: " + intervalMs);
    }
    this.intervalMs = intervalMs;
    return this;
  }

  public long getTimeoutMs() {
    return timeoutMs;
  }

  /** No pong within this → the connection is replaced. */
  public SwitchboardClientOptions setTimeoutMs(long timeoutMs) {
    this.timeoutMs = timeoutMs;
    return this;
  }

  public long getBaseMs() {
    return baseMs;
  }

  public SwitchboardClientOptions setBaseMs(long baseMs) {
    this.baseMs = baseMs;
    return this;
  }

  public long getMaxMs() {
    return maxMs;
  }

  public SwitchboardClientOptions setMaxMs(long maxMs) {
    this.maxMs = maxMs;
    return this;
  }

  public double getJitter() {
    return jitter;
  }

  /** Share of the backoff delay that is random: 1 = full jitter (the default), 0 = none. */
  public SwitchboardClientOptions setJitter(double jitter) {
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be within [0, 1]: " + jitter);
    }
    this.jitter = jitter;
    return this;
  }

  public int getConnections() {
    return connections;
  }

  /** Pool size: connections held open to this many distinct backends (hot standby). */
  public SwitchboardClientOptions setConnections(int connections) {
    if (connections < 1) {
      throw new IllegalArgumentException("connections must be at least 1: " + connections);
    }
    this.connections = connections;
    return this;
  }

  public int getQueueSize() {
    return queueSize;
  }

  /** Bound of the messages queued while no connection is open, and of the unacked publishes. */
  public SwitchboardClientOptions setQueueSize(int queueSize) {
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize must be at least 1: " + queueSize);
    }
    this.queueSize = queueSize;
    return this;
  }

  public double getFailoverRate() {
    return failoverRate;
  }

  /**
   * Arrivals per second each surviving backend should take when a backend is lost: the clients of a
   * lost backend spread their first attempt over a window that keeps to this rate (see
   * {@link Backoff#spreadMs}); 0 = no spread.
   */
  public SwitchboardClientOptions setFailoverRate(double failoverRate) {
    if (!(failoverRate >= 0)) {
      throw new IllegalArgumentException("failoverRate must be >= 0: " + failoverRate);
    }
    this.failoverRate = failoverRate;
    return this;
  }

  public long getRequestTimeoutMs() {
    return requestTimeoutMs;
  }

  /**
   * A join or publish with no answer ({@code joined}, {@code ack} or its {@code error}) within this
   * fails with a {@link RequestException} code {@code timeout}; a timed-out join leaves its room.
   */
  public SwitchboardClientOptions setRequestTimeoutMs(long requestTimeoutMs) {
    if (requestTimeoutMs < 1) {
      throw new IllegalArgumentException("requestTimeoutMs must be at least 1: " + requestTimeoutMs);
    }
    this.requestTimeoutMs = requestTimeoutMs;
    return this;
  }

  public Supplier<Future<String>> getTicket() {
    return ticket;
  }

  /**
   * Where tickets come from: asked before every connection attempt (first connect, refill, failover,
   * move), so it can hand out a fresh one each time; the ticket goes to the backend as {@code ?ticket=}
   * (URL-encoded). A failed or null future fails that attempt, which is retried with backoff. Null: no
   * ticket (the default).
   */
  public SwitchboardClientOptions setTicket(Supplier<Future<String>> ticket) {
    this.ticket = ticket;
    return this;
  }

  /** One fixed ticket for every connection attempt; null: none. */
  public SwitchboardClientOptions setTicket(String ticket) {
    return setTicket(ticket == null ? null : () -> Future.succeededFuture(ticket));
  }

  // TLS: trust for https:// coordinators and wss:// backends

  private String trustCaPem;

  public String getTrustCaPem() {
    return trustCaPem;
  }

  /**
   * A PEM file of the CA certificate(s) that signed the coordinators' and backends' certificates, trusted
   * for {@code https://} and {@code wss://} besides the JVM's default trust store; null (the default):
   * the JVM's trust store only. Host names are verified either way.
   */
  public SwitchboardClientOptions setTrustCaPem(String trustCaPem) {
    this.trustCaPem = trustCaPem == null || trustCaPem.isBlank() ? null : trustCaPem;
    return this;
  }

  /** The options of a {@link BackendList} following what this client would follow on its own. */
  public BackendListOptions listOptions() {
    return new BackendListOptions().setCoordinators(coordinators).setService(service).setKey(key)
        .setConnectTimeoutMs(listConnectTimeoutMs).setTrustCaPem(trustCaPem);
  }

  /** Adds {@link #getTrustCaPem()} to a Vert.x client's options; returns them. */
  <T extends ClientOptionsBase> T applyTls(T clientOptions) {
    if (trustCaPem != null) {
      clientOptions.setTrustOptions(new PemTrustOptions().addCertPath(trustCaPem));
    }
    return clientOptions;
  }

  private long listConnectTimeoutMs = BackendListStream.DEFAULT_CONNECT_TIMEOUT_MS;

  public long getListConnectTimeoutMs() {
    return listConnectTimeoutMs;
  }

  /** How long one coordinator may take to answer the list request before the next is tried. */
  public SwitchboardClientOptions setListConnectTimeoutMs(long listConnectTimeoutMs) {
    if (listConnectTimeoutMs <= 0) {
      throw new IllegalArgumentException("listConnectTimeoutMs must be > 0: " + listConnectTimeoutMs);
    }
    this.listConnectTimeoutMs = listConnectTimeoutMs;
    return this;
  }
}
