package dev.switchboard.client;

import java.util.ArrayList;
import java.util.List;

/** Settings of a {@link SwitchboardClient}, with defaults. */
public final class SwitchboardClientOptions {

  public static final String DEFAULT_SERVICE = "chat";
  public static final String DEFAULT_POLICY = "round-robin";
  public static final long DEFAULT_INTERVAL_MS = 5_000;
  public static final long DEFAULT_TIMEOUT_MS = 10_000;
  public static final long DEFAULT_BASE_MS = 250;
  public static final long DEFAULT_MAX_MS = 10_000;

  private List<String> coordinators = new ArrayList<>();
  private String service = DEFAULT_SERVICE;
  private String policy = DEFAULT_POLICY;
  private String key;
  private long intervalMs = DEFAULT_INTERVAL_MS;
  private long timeoutMs = DEFAULT_TIMEOUT_MS;
  private long baseMs = DEFAULT_BASE_MS;
  private long maxMs = DEFAULT_MAX_MS;

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

  public long getIntervalMs() {
    return intervalMs;
  }

  /** Heartbeat ping interval. */
  public SwitchboardClientOptions setIntervalMs(long intervalMs) {
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
}
