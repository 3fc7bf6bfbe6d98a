package dev.switchboard.coordinator;

import dev.switchboard.cluster.ClusterNode;
import dev.switchboard.cluster.CommandLine;
import dev.switchboard.cluster.Launcher;
import dev.switchboard.cluster.ServerTls;
import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;

/** {@code switchboard coordinator}: joins the cluster and serves the backend list. */
public final class CoordinatorMain {

  private CoordinatorMain() {
  }

  public static CommandLine commandLine() {
    return new CommandLine("coordinator", "Joins the Switchboard cluster and serves the live backend list over HTTP and SSE.")
        .option("port", "SWITCHBOARD_PORT", CoordinatorOptions.DEFAULT_PORT, "HTTP port")
        .option("host", "SWITCHBOARD_HOST", CoordinatorOptions.DEFAULT_HOST, "HTTP bind address")
        .option("history-size", "SWITCHBOARD_HISTORY_SIZE", CoordinatorOptions.DEFAULT_HISTORY_SIZE,
            "change events kept for resume with Last-Event-ID")
        .option("max-subscribers", "SWITCHBOARD_MAX_SUBSCRIBERS", CoordinatorOptions.DEFAULT_MAX_SUBSCRIBERS,
            "open streams before new ones get 503")
        .option("fan-out-shards", "SWITCHBOARD_FAN_OUT_SHARDS", CoordinatorOptions.DEFAULT_FAN_OUT_SHARDS,
            "event loops the SSE streams are spread over, each an HTTP server on the same port (0 = one per event loop)")
        .option("allowed-origin", "SWITCHBOARD_ALLOWED_ORIGIN", CoordinatorOptions.DEFAULT_ALLOWED_ORIGIN,
            "CORS: * or a comma-separated list of origins (a listed request Origin is echoed, with Vary: Origin)")
        .option("keep-alive-ms", "SWITCHBOARD_KEEP_ALIVE_MS", CoordinatorOptions.DEFAULT_KEEP_ALIVE_MS,
            "keep-alive comment and ping event sent on every stream this often")
        .option("admin-token", "SWITCHBOARD_ADMIN_TOKEN", null,
            "enables the admin endpoints (drain, scale), which then need 'Authorization: Bearer <token>'")
        .option("report-threshold", "SWITCHBOARD_REPORT_THRESHOLD", CoordinatorOptions.DEFAULT_REPORT_THRESHOLD,
            "distinct client addresses reporting a backend unreachable (within 30 s) that hide it")
        .option("quarantine-ms", "SWITCHBOARD_QUARANTINE_MS", CoordinatorOptions.DEFAULT_QUARANTINE_MS,
            "how long a backend reported unreachable (and failing this coordinator's probe) stays off the list")
        .option("probe-timeout-ms", "SWITCHBOARD_PROBE_TIMEOUT_MS", CoordinatorOptions.DEFAULT_PROBE_TIMEOUT_MS,
            "deadline of the probe (TCP connect + WebSocket upgrade) of a backend clients reported unreachable")
        .option("idle-timeout-ms", "SWITCHBOARD_IDLE_TIMEOUT_MS", CoordinatorOptions.DEFAULT_IDLE_TIMEOUT_MS,
            "close HTTP connections with nothing read or written this long (must exceed --keep-alive-ms)")
        .option("header-timeout-ms", "SWITCHBOARD_HEADER_TIMEOUT_MS", CoordinatorOptions.DEFAULT_HEADER_TIMEOUT_MS,
            "close a connection that sends no complete request head this long after it opened or after its last response")
        .option("suspect-ms", "SWITCHBOARD_SUSPECT_MS", CoordinatorOptions.DEFAULT_SUSPECT_MS,
            "mark the backends of a node silent for this long suspect (still listed, chosen for no new connection)")
        .option("liveness-timeout-ms", "SWITCHBOARD_LIVENESS_TIMEOUT_MS", CoordinatorOptions.DEFAULT_LIVENESS_TIMEOUT_MS,
            "remove the backends of a node silent for this long (reason expired)")
        .tlsOptions()
        .clusterOptions();
  }

  public static CoordinatorOptions options(CommandLine.Values values) {
    try {
      return parsed(values).validate();
    } catch (IllegalArgumentException e) {
      if (e instanceof CommandLine.UsageException) {
        throw e;
      }
      throw new CommandLine.UsageException(e.getMessage());
    }
  }

  private static CoordinatorOptions parsed(CommandLine.Values values) {
    return new CoordinatorOptions()
        .setPort(values.getInt("port"))
        .setHost(values.get("host"))
        .setHistorySize(values.getInt("history-size"))
        .setMaxSubscribers(values.getInt("max-subscribers"))
        .setFanOutShards(values.getInt("fan-out-shards"))
        .setAllowedOrigin(values.get("allowed-origin"))
        .setSuspectMs(values.getInt("suspect-ms"))
        .setLivenessTimeoutMs(values.getInt("liveness-timeout-ms"))
        .setKeepAliveMs(values.getInt("keep-alive-ms"))
        .setAdminToken(values.get("admin-token"))
        .setReportThreshold(values.getInt("report-threshold"))
        .setQuarantineMs(values.getInt("quarantine-ms"))
        .setProbeTimeoutMs(values.getInt("probe-timeout-ms"))
        .setIdleTimeoutMs(values.getInt("idle-timeout-ms"))
        .setHeaderTimeoutMs(values.getInt("header-timeout-ms"))
        .setTlsCert(values.get(ServerTls.CERT_OPTION))
        .setTlsKey(values.get(ServerTls.KEY_OPTION));
  }

  public static void main(String[] args) {
    Launcher.run(commandLine(), args, values -> {
      CoordinatorOptions options = options(values);
      ClusterNode node = ClusterNode.start(values.clusterOptions()).await(2, TimeUnit.MINUTES);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> close(node), "switchboard-shutdown"));
      CoordinatorVerticle verticle = new CoordinatorVerticle(options, node);
      node.vertx().deployVerticle(verticle).await(1, TimeUnit.MINUTES);
      System.out.printf("switchboard coordinator ready: %s://%s:%d (node %s)%n",
          ServerTls.httpScheme(options.serverTls()), options.getHost(), verticle.actualPort(), node.nodeId());
    });
  }

  static void close(ClusterNode node) {
    Future<Void> closed = node.close();
    try {
      closed.await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("shutdown did not complete: " + e);
    }
  }
}
