package dev.switchboard.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one launcher command. Each option has a flag, an environment variable and a default;
 * a flag beats the variable, which beats the default. Read once, in {@code main}.
 */
public final class CommandLine {

  /** A host option's value meaning "the address this machine's host name resolves to". */
  public static final String AUTO_HOST = "auto";

  /** One option: {@code --name}, its environment variable (may be null), its default and a help line. */
  public record Option(String name, String env, String defaultValue, String help) {
  }

  /** Bad command-line input; the message says what and the launcher prints the help after it. */
  public static final class UsageException extends IllegalArgumentException {
    public UsageException(String message) {
      super(message);
    }
  }

  private final String command;
  private final String summary;
  private final Map<String, Option> options = new LinkedHashMap<>();

  public CommandLine(String command, String summary) {
    this.command = command;
    this.summary = summary;
  }

  /** The command's name, as typed after {@code switchboard}. */
  public String name() {
    return command;
  }

  public CommandLine option(String name, String env, Object defaultValue, String help) {
    options.put(name, new Option(name, env, defaultValue == null ? null : String.valueOf(defaultValue), help));
    return this;
  }

  /** Adds the cluster options every node takes. */
  public CommandLine clusterOptions() {
    return option("cluster-name", "SWITCHBOARD_CLUSTER_NAME", ClusterOptions.DEFAULT_CLUSTER_NAME,
            "Hazelcast cluster name; nodes join only their own cluster")
        .option("cluster-host", "SWITCHBOARD_CLUSTER_HOST", ClusterOptions.DEFAULT_HOST,
            "interface address Hazelcast and the event bus bind to; auto: the address this host name resolves to (containers)")
        .option("cluster-public-host", "SWITCHBOARD_CLUSTER_PUBLIC_HOST", null,
            "address other members use to reach this one, when it differs from --cluster-host")
        .option("cluster-port", "SWITCHBOARD_CLUSTER_PORT", ClusterOptions.DEFAULT_PORT,
            "first Hazelcast port to try; the next free one is taken")
        .option("cluster-members", "SWITCHBOARD_CLUSTER_MEMBERS", ClusterOptions.DEFAULT_MEMBERS,
            "TCP-IP join list: host, host:port or host:first-last, comma-separated")
        .option("cluster-dns", "SWITCHBOARD_CLUSTER_DNS", null,
            "headless Kubernetes Service name whose addresses are the coordinators: Hazelcast's DNS discovery"
                + " instead of --cluster-members")
        .option("cluster-bus-port", "SWITCHBOARD_CLUSTER_BUS_PORT", ClusterOptions.DEFAULT_BUS_PORT,
            "event-bus port on --cluster-host; 0 takes a free one")
        .option("cluster-secret", "SWITCHBOARD_CLUSTER_SECRET", null,
            "shared secret (" + ClusterOptions.MIN_SECRET_LENGTH + "+ characters, the same on every node) that signs"
                + " registry records, heartbeats, reports and control commands; required unless --cluster-host is"
                + " a loopback address. Prefer the environment variable: a flag shows in ps")
        .option("cluster-tls-cert", "SWITCHBOARD_CLUSTER_TLS_CERT", null,
            "PEM certificate for mutual TLS on the event bus (with --cluster-tls-key and --cluster-tls-ca)")
        .option("cluster-tls-key", "SWITCHBOARD_CLUSTER_TLS_KEY", null, "PEM private key of --cluster-tls-cert")
        .option("cluster-tls-ca", "SWITCHBOARD_CLUSTER_TLS_CA", null,
            "PEM CA certificate: the event bus accepts only members whose certificate it signed");
  }

  /** Adds {@code --tls-cert} and {@code --tls-key}: HTTPS and WSS on the node's public port ({@link ServerTls}). */
  public CommandLine tlsOptions() {
    return option(ServerTls.CERT_OPTION, "SWITCHBOARD_TLS_CERT", null,
            "PEM certificate (chain) file: serve https:// and wss:// instead of http:// and ws:// (with --tls-key)")
        .option(ServerTls.KEY_OPTION, "SWITCHBOARD_TLS_KEY", null, "PEM private key file of --tls-cert");
  }

  /** Parsed values: every option has one (possibly null when it has no default). */
  public final class Values {
    private final Map<String, String> values;

    private Values(Map<String, String> values) {
      this.values = values;
    }

    public String get(String name) {
      if (!options.containsKey(name)) {
        throw new IllegalArgumentException("no option --" + name);
      }
      return values.get(name);
    }

    /**
     * A host option: {@value #AUTO_HOST} becomes this machine's address as its own host name resolves
     * (a container's or pod's address), anything else is returned as given.
     */
    public String getHost(String name) {
      String value = get(name);
      if (!AUTO_HOST.equals(value)) {
        return value;
      }
      try {
        return InetAddress.getLocalHost().getHostAddress();
      } catch (UnknownHostException e) {
        throw new UsageException("--" + name + " auto: this machine's host name does not resolve: " + e.getMessage());
      }
    }

    /** The {@code --tls-cert} / {@code --tls-key} pair, checked; null when TLS is off. */
    public ServerTls serverTls() {
      try {
        return ServerTls.of(get(ServerTls.CERT_OPTION), get(ServerTls.KEY_OPTION));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }

    public int getInt(String name) {
      String value = get(name);
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new UsageException("--" + name + " must be an integer, got '" + value + "'");
      }
    }

    public boolean getBoolean(String name) {
      String value = get(name);
      if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
        return Boolean.parseBoolean(value);
      }
      throw new UsageException("--" + name + " must be true or false, got '" + value + "'");
    }

    public double getDouble(String name) {
      String value = get(name);
      try {
        return Double.parseDouble(value);
      } catch (NumberFormatException | NullPointerException e) {
        throw new UsageException("--" + name + " must be a number, got '" + value + "'");
      }
    }

    /**
     * The cluster options, checked ({@link ClusterOptions#check()}).
     *
     * @throws UsageException when they would open the cluster to its network (no secret on a
     *     non-loopback address) or are incomplete
     */
    public ClusterOptions clusterOptions() {
      ClusterOptions cluster = new ClusterOptions()
          .setClusterName(get("cluster-name"))
          .setHost(getHost("cluster-host"))
          .setPublicHost(getHost("cluster-public-host"))
          .setPort(getInt("cluster-port"))
          .setMembers(get("cluster-members"))
          .setDnsDiscovery(get("cluster-dns"))
          .setBusPort(getInt("cluster-bus-port"))
          .setSecret(get("cluster-secret"))
          .setTlsCert(get("cluster-tls-cert"))
          .setTlsKey(get("cluster-tls-key"))
          .setTlsCa(get("cluster-tls-ca"));
      try {
        return cluster.check();
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
  }

  /**
   * Parses {@code --name value} and {@code --name=value}; returns null when {@code --help} was asked.
   *
   * @throws UsageException for an unknown option or a missing value
   */
  public Values parse(String[] args, Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Option option : options.values()) {
      String fromEnv = option.env() == null ? null : env.get(option.env());
      values.put(option.name(), fromEnv != null && !fromEnv.isEmpty() ? fromEnv : option.defaultValue());
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return null;
      }
      if (!arg.startsWith("--")) {
        throw new UsageException("unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (!options.containsKey(name)) {
        throw new UsageException("unknown option --" + name);
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException("option --" + name + " needs a value");
        }
        value = args[++i];
      }
      values.put(name, value);
    }
    return new Values(values);
  }

  public String help() {
    StringBuilder sb = new StringBuilder();
    sb.append("Usage: switchboard ").append(command).append(" [options]\n\n").append(summary).append("\n\nOptions:\n");
    List<String[]> rows = new ArrayList<>();
    int width = 0;
    for (Option o : options.values()) {
      String flag = "--" + o.name() + " <value>";
      width = Math.max(width, flag.length());
      String detail = o.help()
          + " (default: " + (o.defaultValue() == null ? "none" : o.defaultValue()) + ")"
          + (o.env() == null ? "" : " [env " + o.env() + "]");
      rows.add(new String[] {flag, detail});
    }
    for (String[] row : rows) {
      sb.append("  ").append(String.format("%-" + width + "s", row[0])).append("  ").append(row[1]).append('\n');
    }
    sb.append("  ").append(String.format("%-" + width + "s", "--help")).append("  print this help\n");
    return sb.toString();
  }
}
