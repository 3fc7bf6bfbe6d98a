package dev.switchboard.backend;

import dev.switchboard.backend.impl.TicketVerifier;
import dev.switchboard.cluster.AllowedOrigins;
import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.CommandLine;
import dev.switchboard.cluster.Launcher;
import dev.switchboard.cluster.ServerTls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code switchboard backend}: joins the cluster as a lite member (no partitions) and runs K backend verticles. */
public final class BackendMain {

  private BackendMain() {
  }

  public static CommandLine commandLine() {
    return new CommandLine("backend", "Joins the Switchboard cluster and runs WebSocket backends, one port each.")
        .option("instances", "SWITCHBOARD_INSTANCES", BackendOptions.DEFAULT_INSTANCES, "backend verticles on this node")
        .option("port-base", "SWITCHBOARD_PORT_BASE", BackendOptions.DEFAULT_PORT_BASE,
            "backend i listens on port-base + i; 0 picks free ports")
        .option("host", "SWITCHBOARD_HOST", BackendOptions.DEFAULT_HOST, "WebSocket bind address")
        .option("public-host", "SWITCHBOARD_PUBLIC_HOST", BackendOptions.DEFAULT_PUBLIC_HOST,
            "host name put in the ws:// (wss://) URL that clients open; auto: the address this host name resolves to")
        .option("service", "SWITCHBOARD_SERVICE", "chat", "backend pool name")
        .option("zone", "SWITCHBOARD_ZONE", "local", "zone label")
        .option("capacity", "SWITCHBOARD_CAPACITY", BackendOptions.DEFAULT_CAPACITY,
            "connections each backend accepts before refusing with 503")
        .option("weight", "SWITCHBOARD_WEIGHT", 100, "relative weight, 1..1000")
        .option("max-frame-bytes", "SWITCHBOARD_MAX_FRAME_BYTES", BackendOptions.DEFAULT_MAX_FRAME_BYTES,
            "largest WebSocket frame or message accepted; larger closes with 1009")
        .option("rate", "SWITCHBOARD_RATE", BackendOptions.DEFAULT_MESSAGES_PER_SECOND,
            "messages per second a connection may send on average")
        .option("burst", "SWITCHBOARD_BURST", BackendOptions.DEFAULT_MESSAGE_BURST,
            "messages a connection may send at once")
        .option("ping-interval-ms", "SWITCHBOARD_PING_INTERVAL_MS", BackendOptions.DEFAULT_PING_INTERVAL_MS,
            "WebSocket ping frames this often; no pong by the next one closes the connection")
        .option("header-timeout-ms", "SWITCHBOARD_HEADER_TIMEOUT_MS", BackendOptions.DEFAULT_HEADER_TIMEOUT_MS,
            "a connection must complete its request head (the upgrade) within this, against slowloris; 0 = off")
        .option("drain-ms", "SWITCHBOARD_DRAIN_MS", BackendOptions.DEFAULT_DRAIN_MS,
            "clients get this long to move when a backend drains (SIGTERM, admin drain, scale-in)")
        .option("rebalance", "SWITCHBOARD_REBALANCE", BackendOptions.DEFAULT_REBALANCE,
            "ask clients of an overloaded backend to move after scale-out (true/false)")
        .option("rebalance-threshold", "SWITCHBOARD_REBALANCE_THRESHOLD", BackendOptions.DEFAULT_REBALANCE_THRESHOLD,
            "rebalance a backend above this x its weighted fair share")
        .option("rebalance-interval-ms", "SWITCHBOARD_REBALANCE_INTERVAL_MS", BackendOptions.DEFAULT_REBALANCE_INTERVAL_MS,
            "how often each backend compares its load with its fair share")
        .option("rebalance-deadline-ms", "SWITCHBOARD_REBALANCE_DEADLINE_MS", BackendOptions.DEFAULT_REBALANCE_DEADLINE_MS,
            "clients asked to move by a rebalance get this long (they move within half of it)")
        .option("rebalance-hold-down-ms", "SWITCHBOARD_REBALANCE_HOLD_DOWN_MS", BackendOptions.DEFAULT_REBALANCE_HOLD_DOWN_MS,
            "a client connected for less than this is never asked to move by a rebalance")
        .option("max-rooms-per-connection", "SWITCHBOARD_MAX_ROOMS_PER_CONNECTION",
            BackendOptions.DEFAULT_MAX_ROOMS_PER_CONNECTION, "rooms one connection may be in at once")
        .option("max-rooms-per-node", "SWITCHBOARD_MAX_ROOMS_PER_NODE", BackendOptions.DEFAULT_MAX_ROOMS_PER_NODE,
            "rooms this node uses at once (joined here, or used here within the room TTL)")
        .option("room-ttl-ms", "SWITCHBOARD_ROOM_TTL_MS", BackendOptions.DEFAULT_ROOM_TTL_MS,
            "a room unused on every backend for this long is destroyed with its history")
        .option("max-outbound-bytes", "SWITCHBOARD_MAX_OUTBOUND_BYTES", BackendOptions.DEFAULT_MAX_OUTBOUND_BYTES,
            "unsent bytes a connection may have queued before it is closed as a slow consumer (4008)")
        .option("liveness-interval-ms", "SWITCHBOARD_LIVENESS_INTERVAL_MS", BackendOptions.DEFAULT_LIVENESS_INTERVAL_MS,
            "heartbeat to the coordinators (by default they flag a node silent for 2 intervals suspect and remove it after 5)")
        .option("ticket-secret", "SWITCHBOARD_TICKET_SECRET", null,
            "HS256 key (32+ bytes) of the signed tickets clients must present (?ticket=); no ticket key: tickets off")
        .option("ticket-public-key", "SWITCHBOARD_TICKET_PUBLIC_KEY", null,
            "PEM file (or PEM text) of the RSA / EC P-256 public key verifying RS256 / ES256 tickets")
        .option("ticket-jwks", "SWITCHBOARD_TICKET_JWKS", null,
            "JWKS file (or JSON text) whose RSA / EC P-256 keys verify RS256 / ES256 tickets (read at start)")
        .option("allowed-origins", "SWITCHBOARD_ALLOWED_ORIGINS", BackendOptions.DEFAULT_ALLOWED_ORIGINS,
            "* or comma-separated origins whose browser pages may connect; another Origin gets 403")
        .tlsOptions()
        .clusterOptions();
  }

  public static BackendOptions options(CommandLine.Values values) {
    BackendOptions options = new BackendOptions()
        .setInstances(values.getInt("instances"))
        .setPortBase(values.getInt("port-base"))
        .setHost(values.get("host"))
        .setPublicHost(values.getHost("public-host"))
        .setService(values.get("service"))
        .setZone(values.get("zone"))
        .setCapacity(values.getInt("capacity"))
        .setWeight(values.getInt("weight"))
        .setLivenessIntervalMs(values.getInt("liveness-interval-ms"))
        .setMaxFrameBytes(values.getInt("max-frame-bytes"))
        .setMessagesPerSecond(values.getInt("rate"))
        .setMessageBurst(values.getInt("burst"))
        .setPingIntervalMs(values.getInt("ping-interval-ms"))
        .setHeaderTimeoutMs(values.getInt("header-timeout-ms"))
        .setDrainMs(values.getInt("drain-ms"))
        .setRebalance(values.getBoolean("rebalance"))
        .setRebalanceThreshold(values.getDouble("rebalance-threshold"))
        .setRebalanceIntervalMs(values.getInt("rebalance-interval-ms"))
        .setRebalanceDeadlineMs(values.getInt("rebalance-deadline-ms"))
        .setRebalanceHoldDownMs(values.getInt("rebalance-hold-down-ms"))
        .setTicketSecret(values.get("ticket-secret"))
        .setTicketPublicKey(fileOrText(values, "ticket-public-key", "-----BEGIN"))
        .setTicketJwks(fileOrText(values, "ticket-jwks", "{"))
        .setAllowedOrigins(origins(values.get("allowed-origins")))
        .setMaxRoomsPerConnection(values.getInt("max-rooms-per-connection"))
        .setMaxRoomsPerNode(values.getInt("max-rooms-per-node"))
        .setRoomTtlMs(values.getInt("room-ttl-ms"))
        .setMaxOutboundBytes(values.getInt("max-outbound-bytes"));
    ServerTls tls = values.serverTls();
    if (tls != null) {
      options.setTlsCert(tls.certPath()).setTlsKey(tls.keyPath());
    }
    if (options.hasTicketKeys()) {
      try {
        TicketVerifier.create(options.getTicketSecret(), options.getTicketPublicKey(), options.getTicketJwks(),
            Clock.systemUTC());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.UsageException(e.getMessage());
      }
    }
    return options;
  }

  /** The option's value when it starts with {@code inline}, else the content of the file it names (null when unset). */
  private static String fileOrText(CommandLine.Values values, String option, String inline) {
    String value = values.get(option);
    if (value == null || value.isBlank() || value.trim().startsWith(inline)) {
      return value;
    }
    try {
      return Files.readString(Path.of(value.trim()));
    } catch (IOException | InvalidPathException e) {
      throw new CommandLine.UsageException("--" + option + ": cannot read '" + value + "': " + e);
    }
  }

  private static String origins(String list) {
    try {
      return AllowedOrigins.parse(list).toString();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.UsageException("--allowed-origins: " + e.getMessage());
    }
  }

  public static void main(String[] args) {
    Launcher.run(commandLine(), args, values -> {
      BackendOptions options = options(values);
      ClusterNode node = ClusterNode.start(values.clusterOptions().setLiteMember(true)).await(2, TimeUnit.MINUTES);
      BackendNode backends = new BackendNode(node, options);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(node, backends, options.getDrainMs()), "switchboard-shutdown"));
      List<BackendVerticle> started = backends.start().await(1, TimeUnit.MINUTES);
      for (BackendVerticle b : started) {
        System.out.printf("switchboard backend %s: %s%n", b.record().id(), b.record().url());
      }
      System.out.printf("switchboard backend node ready: %d backends (node %s)%n", started.size(), node.nodeId());
    });
  }

  /** Graceful exit (SIGTERM, Ctrl-C): backends drain (clients get the deadline to move), then the node leaves. */
  static void stop(ClusterNode node, BackendNode backends, long drainMs) {
    try {
      backends.drainAll().eventually(node::close).await(drainMs + 30_000, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      System.err.println("shutdown did not complete: " + e);
    }
  }
}
