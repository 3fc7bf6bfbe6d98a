package dev.switchboard.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * How a node joins the Switchboard cluster. The defaults make separate JVMs on one machine find each
 * other over loopback TCP-IP join with no flags; set {@code members} and {@code host} for a real network.
 * Hazelcast and the event bus bind to {@code host} only. A {@code secret} signs what members tell each
 * other ({@link ClusterSigner}); it is required when {@code host} is not a loopback address. With
 * {@code tlsCert}, {@code tlsKey} and {@code tlsCa} (PEM files) the event bus runs mutual TLS.
 */
public final class ClusterOptions {

  public static final String DEFAULT_CLUSTER_NAME = "switchboard";
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 5701;
  /** Host or host:port or host:first-last; several separated by commas. */
  public static final String DEFAULT_MEMBERS = "127.0.0.1:5701-5710";
  public static final int DEFAULT_HEARTBEAT_SECONDS = 1;
  /**
   * Hazelcast drops a silent member after this long. Deliberately longer than Switchboard's own
   * liveness deadline (2.5 s): a briefly frozen backend leaves the list fast but stays a cluster
   * member, so it heals by itself when it resumes, without a split-brain merge.
   */
  public static final int DEFAULT_MAX_NO_HEARTBEAT_SECONDS = 10;
  /** Delay before Hazelcast merges a member that was dropped (and came back) into the cluster again. */
  public static final int MERGE_DELAY_SECONDS = 10;
  /** Event-bus port; 0 takes a free one. */
  public static final int DEFAULT_BUS_PORT = 0;
  /** Shortest cluster secret accepted: anyone who can read the registry can try to guess it offline. */
  public static final int MIN_SECRET_LENGTH = 16;

  private String clusterName = DEFAULT_CLUSTER_NAME;
  private String host = DEFAULT_HOST;
  private String publicHost;
  private int port = DEFAULT_PORT;
  private String members = DEFAULT_MEMBERS;
  private boolean liteMember;
  private int heartbeatSeconds = DEFAULT_HEARTBEAT_SECONDS;
  private int maxNoHeartbeatSeconds = DEFAULT_MAX_NO_HEARTBEAT_SECONDS;
  private int busPort = DEFAULT_BUS_PORT;
  private String secret;
  private String tlsCert;
  private String tlsKey;
  private String tlsCa;
  private String dnsDiscovery;

  public ClusterOptions() {
  }

  public ClusterOptions(ClusterOptions other) {
    this(other.toJson());
  }

  public ClusterOptions(JsonObject json) {
    clusterName = json.getString("clusterName", DEFAULT_CLUSTER_NAME);
    host = json.getString("host", DEFAULT_HOST);
    publicHost = json.getString("publicHost");
    port = json.getInteger("port", DEFAULT_PORT);
    members = json.getString("members", DEFAULT_MEMBERS);
    liteMember = json.getBoolean("liteMember", false);
    heartbeatSeconds = json.getInteger("heartbeatSeconds", DEFAULT_HEARTBEAT_SECONDS);
    maxNoHeartbeatSeconds = json.getInteger("maxNoHeartbeatSeconds", DEFAULT_MAX_NO_HEARTBEAT_SECONDS);
    busPort = json.getInteger("busPort", DEFAULT_BUS_PORT);
    secret = json.getString("secret");
    tlsCert = json.getString("tlsCert");
    tlsKey = json.getString("tlsKey");
    tlsCa = json.getString("tlsCa");
    dnsDiscovery = json.getString("dnsDiscovery");
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("clusterName", clusterName)
        .put("host", host)
        .put("port", port)
        .put("members", members)
        .put("liteMember", liteMember)
        .put("heartbeatSeconds", heartbeatSeconds)
        .put("maxNoHeartbeatSeconds", maxNoHeartbeatSeconds)
        .put("busPort", busPort);
    putIfSet(json, "publicHost", publicHost);
    putIfSet(json, "secret", secret);
    putIfSet(json, "tlsCert", tlsCert);
    putIfSet(json, "tlsKey", tlsKey);
    putIfSet(json, "tlsCa", tlsCa);
    putIfSet(json, "dnsDiscovery", dnsDiscovery);
    return json;
  }

  private static void putIfSet(JsonObject json, String name, String value) {
    if (value != null) {
      json.put(name, value);
    }
  }

  /**
   * Refuses settings that would open the cluster to its network: a non-loopback {@code host} without
   * a secret, a secret shorter than {@link #MIN_SECRET_LENGTH}, TLS files given only in part.
   *
   * @throws IllegalArgumentException saying what to set, in launcher flag names
   */
  public ClusterOptions check() {
    if (secret != null && secret.length() < MIN_SECRET_LENGTH) {
      throw new IllegalArgumentException("--cluster-secret must be at least " + MIN_SECRET_LENGTH
          + " characters (got " + secret.length() + ")");
    }
    if (secret == null && !bindsLoopback()) {
      throw new IllegalArgumentException("--cluster-host " + host + " is not a loopback address: set --cluster-secret"
          + " (or SWITCHBOARD_CLUSTER_SECRET), the same on every node, so that members accept only records and"
          + " commands signed by each other (see docs/security.md)");
    }
    long tlsFiles = Stream.of(tlsCert, tlsKey, tlsCa).filter(f -> f != null).count();
    if (tlsFiles != 0 && tlsFiles != 3) {
      throw new IllegalArgumentException("event-bus TLS needs all of --cluster-tls-cert, --cluster-tls-key and --cluster-tls-ca");
    }
    return this;
  }

  /** Whether {@code host} is a loopback address (127.0.0.0/8, ::1): only this machine can reach the cluster. */
  public boolean bindsLoopback() {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Whether the event bus runs mutual TLS. */
  public boolean isTls() {
    return tlsCert != null;
  }

  /** The Hazelcast configuration: Vert.x's defaults (its internal maps) plus our network and timing. */
  public Config toHazelcastConfig() {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    config.setLiteMember(liteMember);
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Our own shutdown hook deregisters backends before the cluster goes; Hazelcast's would race it.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(heartbeatSeconds));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(maxNoHeartbeatSeconds));
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", String.valueOf(MERGE_DELAY_SECONDS));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", String.valueOf(MERGE_DELAY_SECONDS));
    // without it Hazelcast listens on every interface (0.0.0.0), whatever the interface list says
    config.setProperty("hazelcast.socket.bind.any", "false");
    RoomStructures.applyTo(config);
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(true).setPortCount(100);
    if (publicHost != null) {
      network.setPublicAddress(publicHost);
    }
    network.getInterfaces().setEnabled(true).setInterfaces(List.of(host));
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (dnsDiscovery != null) {
      // Hazelcast's Kubernetes discovery in DNS lookup mode: the members are the A records of a
      // headless Service, each on the cluster port; no API access (RBAC) needed
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
          .setProperty("service-dns", dnsDiscovery)
          .setProperty("service-port", String.valueOf(port));
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(expandMembers(members));
    }
    return config;
  }

  /** Expands {@code host:first-last} ranges into one address each, so the join tries every port. */
  static List<String> expandMembers(String spec) {
    List<String> out = new ArrayList<>();
    for (String part : spec.split(",")) {
      String member = part.trim();
      if (member.isEmpty()) {
        continue;
      }
      int colon = member.lastIndexOf(':');
      int dash = member.indexOf('-', Math.max(colon, 0));
      if (colon > 0 && dash > colon) {
        String h = member.substring(0, colon);
        int first = parsePort(member, member.substring(colon + 1, dash));
        int last = parsePort(member, member.substring(dash + 1));
        if (last < first || last - first > 200) {
          throw new IllegalArgumentException("bad member port range in '" + member + "'");
        }
        for (int p = first; p <= last; p++) {
          out.add(h + ":" + p);
        }
      } else {
        out.add(member);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no cluster members in '" + spec + "'");
    }
    return out;
  }

  private static int parsePort(String member, String text) {
    try {
      int port = Integer.parseInt(text.trim());
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad port '" + text + "' in member '" + member + "'");
    }
  }

  public String getClusterName() {
    return clusterName;
  }

  public ClusterOptions setClusterName(String clusterName) {
    this.clusterName = clusterName;
    return this;
  }

  public String getHost() {
    return host;
  }

  public ClusterOptions setHost(String host) {
    this.host = host;
    return this;
  }

  public String getPublicHost() {
    return publicHost;
  }

  public ClusterOptions setPublicHost(String publicHost) {
    this.publicHost = publicHost;
    return this;
  }

  public int getPort() {
    return port;
  }

  public ClusterOptions setPort(int port) {
    this.port = port;
    return this;
  }

  public String getMembers() {
    return members;
  }

  public ClusterOptions setMembers(String members) {
    this.members = members;
    return this;
  }

  public boolean isLiteMember() {
    return liteMember;
  }

  public ClusterOptions setLiteMember(boolean liteMember) {
    this.liteMember = liteMember;
    return this;
  }

  public int getHeartbeatSeconds() {
    return heartbeatSeconds;
  }

  public ClusterOptions setHeartbeatSeconds(int heartbeatSeconds) {
    this.heartbeatSeconds = heartbeatSeconds;
    return this;
  }

  public int getMaxNoHeartbeatSeconds() {
    return maxNoHeartbeatSeconds;
  }

  public ClusterOptions setMaxNoHeartbeatSeconds(int maxNoHeartbeatSeconds) {
    this.maxNoHeartbeatSeconds = maxNoHeartbeatSeconds;
    return this;
  }

  public int getBusPort() {
    return busPort;
  }

  /** The event bus's port on {@code host}; 0 (the default) takes a free one. */
  public ClusterOptions setBusPort(int busPort) {
    this.busPort = busPort;
    return this;
  }

  public String getSecret() {
    return secret;
  }

  /** The shared cluster secret; null or empty (the default) means nothing is signed. */
  public ClusterOptions setSecret(String secret) {
    this.secret = secret == null || secret.isEmpty() ? null : secret;
    return this;
  }

  public String getTlsCert() {
    return tlsCert;
  }

  /** PEM certificate (chain) this node shows on the event bus, as server and as client. */
  public ClusterOptions setTlsCert(String tlsCert) {
    this.tlsCert = tlsCert;
    return this;
  }

  public String getTlsKey() {
    return tlsKey;
  }

  /** PEM private key of {@code tlsCert} ({@code PRIVATE KEY}, {@code RSA PRIVATE KEY} or {@code EC PRIVATE KEY}). */
  public ClusterOptions setTlsKey(String tlsKey) {
    this.tlsKey = tlsKey;
    return this;
  }

  public String getTlsCa() {
    return tlsCa;
  }

  /** PEM certificate(s) of the CA that signed every member's event-bus certificate; the only ones trusted. */
  public ClusterOptions setTlsCa(String tlsCa) {
    this.tlsCa = tlsCa;
    return this;
  }

  public String getDnsDiscovery() {
    return dnsDiscovery;
  }

  /**
   * The DNS name of a headless Kubernetes Service whose addresses are the cluster's data members (e.g.
   * {@code switchboard-hazelcast.default.svc.cluster.local}): members are found through Hazelcast's
   * Kubernetes discovery in DNS lookup mode instead of the {@code members} list; null (the default): the
   * TCP-IP list.
   */
  public ClusterOptions setDnsDiscovery(String dnsDiscovery) {
    this.dnsDiscovery = dnsDiscovery == null || dnsDiscovery.isBlank() ? null : dnsDiscovery;
    return this;
  }
}
