package dev.switchboard.model;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One WebSocket endpoint as published in the cluster (PROTOCOL §1). Immutable; the constructor
 * rejects any record that breaks a rule with an {@link InvalidRecordException} naming the field.
 *
 * <p>{@code suspect} is our extension: a coordinator sets it on the records of a node that missed its
 * liveness deadline but is not yet removed. Clients choose a suspect backend for no new connection and
 * keep the connections they have. On the wire it appears only when true.
 */
public record BackendRecord(
    String id,
    String service,
    String url,
    String node,
    String zone,
    BackendState state,
    int connections,
    int capacity,
    int weight,
    long startedAt,
    boolean suspect) {

  public static final String DEFAULT_SERVICE = "chat";
  public static final String DEFAULT_ZONE = "local";
  public static final int DEFAULT_WEIGHT = 100;
  public static final int MAX_WEIGHT = 1000;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern SERVICE = Pattern.compile("[a-z0-9-]{1,32}");
  private static final int MAX_TEXT = 2048;

  public BackendRecord {
    require("id", id != null && ID.matcher(id).matches(), "must match [A-Za-z0-9._-]{1,64}", id);
    require("service", service != null && SERVICE.matcher(service).matches(), "must match [a-z0-9-]{1,32}", service);
    require("url", isWebSocketUrl(url), "must be an absolute ws:// or wss:// URL", url);
    require("node", node != null && !node.isBlank() && node.length() <= MAX_TEXT, "must be a non-empty string", node);
    require("zone", zone != null && !zone.isBlank() && zone.length() <= MAX_TEXT, "must be a non-empty string", zone);
    require("state", state != null, "must be UP or DRAINING", state);
    require("connections", connections >= 0, "must be >= 0", connections);
    require("capacity", capacity > 0, "must be > 0", capacity);
    require("weight", weight >= 1 && weight <= MAX_WEIGHT, "must be in 1..1000", weight);
    require("startedAt", startedAt >= 0, "must be epoch milliseconds >= 0", startedAt);
  }

  /** A record that is not suspect, as backends publish it. */
  public BackendRecord(String id, String service, String url, String node, String zone, BackendState state,
      int connections, int capacity, int weight, long startedAt) {
    this(id, service, url, node, zone, state, connections, capacity, weight, startedAt, false);
  }

  /** This record with another connection count. */
  public BackendRecord withConnections(int connections) {
    return new BackendRecord(id, service, url, node, zone, state, connections, capacity, weight, startedAt, suspect);
  }

  /** This record with another state. */
  public BackendRecord withState(BackendState state) {
    return new BackendRecord(id, service, url, node, zone, state, connections, capacity, weight, startedAt, suspect);
  }

  /** This record marked suspect (or not). */
  public BackendRecord withSuspect(boolean suspect) {
    return new BackendRecord(id, service, url, node, zone, state, connections, capacity, weight, startedAt, suspect);
  }

  /** Whether a client may choose this backend for a new connection: {@code UP} and not suspect. */
  public boolean choosable() {
    return state == BackendState.UP && !suspect;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("service", service)
        .put("url", url)
        .put("node", node)
        .put("zone", zone)
        .put("state", state.name())
        .put("connections", connections)
        .put("capacity", capacity)
        .put("weight", weight)
        .put("startedAt", startedAt);
    return suspect ? json.put("suspect", true) : json;
  }

  /**
   * Reads a record; {@code service}, {@code zone} and {@code weight} take their defaults when absent,
   * {@code suspect} is false when absent.
   *
   * @throws InvalidRecordException when a field is missing, of the wrong type or breaks its rule
   */
  public static BackendRecord fromJson(JsonObject json) {
    Objects.requireNonNull(json, "json");
    return new BackendRecord(
        text(json, "id", null),
        text(json, "service", DEFAULT_SERVICE),
        text(json, "url", null),
        text(json, "node", null),
        text(json, "zone", DEFAULT_ZONE),
        state(json),
        (int) integer(json, "connections", null, Integer.MAX_VALUE),
        (int) integer(json, "capacity", null, Integer.MAX_VALUE),
        (int) integer(json, "weight", (long) DEFAULT_WEIGHT, Integer.MAX_VALUE),
        integer(json, "startedAt", null, Long.MAX_VALUE),
        flag(json, "suspect"));
  }

  private static boolean flag(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      throw new InvalidRecordException(field, "must be a boolean", value);
    }
    return Boolean.TRUE.equals(value);
  }

  private static String text(JsonObject json, String field, String fallback) {
    Object value = json.getValue(field);
    if (value == null) {
      if (fallback == null) {
        throw new InvalidRecordException(field, "is required", null);
      }
      return fallback;
    }
    if (!(value instanceof String s)) {
      throw new InvalidRecordException(field, "must be a string", value);
    }
    return s;
  }

  private static long integer(JsonObject json, String field, Long fallback, long max) {
    Object value = json.getValue(field);
    if (value == null) {
      if (fallback == null) {
        throw new InvalidRecordException(field, "is required", null);
      }
      return fallback;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new InvalidRecordException(field, "must be an integer", value);
    }
    long n = ((Number) value).longValue();
    if (n > max || n < Integer.MIN_VALUE && max == Integer.MAX_VALUE) {
      throw new InvalidRecordException(field, "is out of range", value);
    }
    return n;
  }

  private static BackendState state(JsonObject json) {
    Object value = json.getValue("state");
    if (value == null) {
      throw new InvalidRecordException("state", "is required", null);
    }
    for (BackendState s : BackendState.values()) {
      if (s.name().equals(value)) {
        return s;
      }
    }
    throw new InvalidRecordException("state", "must be UP or DRAINING", value);
  }

  private static boolean isWebSocketUrl(String url) {
    if (url == null || url.length() > MAX_TEXT) {
      return false;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme();
      return uri.isAbsolute()
          && ("ws".equals(scheme) || "wss".equals(scheme))
          && uri.getHost() != null
          && uri.getFragment() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static void require(String field, boolean ok, String rule, Object value) {
    if (!ok) {
      throw new InvalidRecordException(field, rule, value);
    }
  }
}
