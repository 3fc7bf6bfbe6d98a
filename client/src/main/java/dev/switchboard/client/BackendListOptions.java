package dev.switchboard.client;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * Settings of a {@link BackendList}, with defaults: the list-stream subset of
 * {@link SwitchboardClientOptions} (same names and defaults; {@link SwitchboardClientOptions#listOptions()}
 * copies them over).
 */
public final class BackendListOptions {

  public static final String DEFAULT_SERVICE = SwitchboardClientOptions.DEFAULT_SERVICE;
  public static final long DEFAULT_CONNECT_TIMEOUT_MS = BackendListStream.DEFAULT_CONNECT_TIMEOUT_MS;

  private List<String> coordinators = new ArrayList<>();
  private String service = DEFAULT_SERVICE;
  private String key;
  private long connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
  private String trustCaPem;

  public BackendListOptions() {
  }

  public BackendListOptions(BackendListOptions other) {
    coordinators = new ArrayList<>(other.coordinators);
    service = other.service;
    key = other.key;
    connectTimeoutMs = other.connectTimeoutMs;
    trustCaPem = other.trustCaPem;
  }

  /** From JSON (the names of the getters); absent fields keep their defaults. */
  public BackendListOptions(JsonObject json) {
    List<String> urls = new ArrayList<>();
    json.getJsonArray("coordinators", new JsonArray()).forEach(u -> urls.add((String) u));
    setCoordinators(urls);
    setService(json.getString("service", DEFAULT_SERVICE));
    setKey(json.getString("key"));
    setConnectTimeoutMs(json.getLong("connectTimeoutMs", DEFAULT_CONNECT_TIMEOUT_MS));
    setTrustCaPem(json.getString("trustCaPem"));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("coordinators", new JsonArray(new ArrayList<Object>(coordinators)))
        .put("service", service)
        .put("connectTimeoutMs", connectTimeoutMs);
    if (key != null) {
      json.put("key", key);
    }
    return trustCaPem == null ? json : json.put("trustCaPem", trustCaPem);
  }

  public List<String> getCoordinators() {
    return coordinators;
  }

  /** Coordinator base URLs, followed one at a time (at least one is needed). */
  public BackendListOptions setCoordinators(List<String> coordinators) {
    this.coordinators = new ArrayList<>(coordinators);
    return this;
  }

  public String getService() {
    return service;
  }

  /** The backend pool followed; null for every service. */
  public BackendListOptions setService(String service) {
    this.service = service;
    return this;
  }

  public String getKey() {
    return key;
  }

  /** Picks the first coordinator by rendezvous hashing; null (the default): a random one. */
  public BackendListOptions setKey(String key) {
    this.key = key;
    return this;
  }

  public long getConnectTimeoutMs() {
    return connectTimeoutMs;
  }

  /** How long one coordinator may take to answer the list request before the next is tried. */
  public BackendListOptions setConnectTimeoutMs(long connectTimeoutMs) {
    if (connectTimeoutMs <= 0) {
      throw new IllegalArgumentException("connectTimeoutMs must be > 0: " + connectTimeoutMs);
    }
    this.connectTimeoutMs = connectTimeoutMs;
    return this;
  }

  public String getTrustCaPem() {
    return trustCaPem;
  }

  /** A PEM file of CA certificate(s) trusted for {@code https://} coordinators besides the JVM's trust store. */
  public BackendListOptions setTrustCaPem(String trustCaPem) {
    this.trustCaPem = trustCaPem == null || trustCaPem.isBlank() ? null : trustCaPem;
    return this;
  }

  /** The HTTP client's options: TLS trust when set. */
  HttpClientOptions httpOptions() {
    HttpClientOptions http = new HttpClientOptions();
    if (trustCaPem != null) {
      http.setTrustOptions(new PemTrustOptions().addCertPath(trustCaPem));
    }
    return http;
  }
}
