package dev.switchboard.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * nginx with the nchan module, the usual C server for SSE fan-out, as the bench's yardstick: its own
 * prefix and config under a temp dir, one free loopback port, a publisher endpoint ({@code POST
 * /pub?ch=…}) and an EventSource endpoint ({@code GET /sub?ch=…}, events named {@code upsert} with nchan's
 * message id). Started in the foreground as this JVM's child and stopped by its PID (also at exit).
 */
final class NchanServer implements AutoCloseable {

  static final Path MODULE = Path.of("/usr/lib/nginx/modules/ngx_nchan_module.so");
  static final List<String> PACKAGES = List.of("nginx", "libnginx-mod-nchan");

  private final Process master;
  private final int port;
  private final Thread hook;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private NchanServer(Process master, int port) {
    this.master = master;
    this.port = port;
    this.hook = new Thread(this::stop, "nchan-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Installs the Debian packages when nginx or the module is missing ({@code apt-get}, as root);
   * returns null when both are there, else why they are not.
   */
  static String ensureInstalled() {
    if (installed()) {
      return null;
    }
    System.out.println("propagation: installing " + String.join(" ", PACKAGES) + " for the nchan comparison…");
    try {
      run(List.of("apt-get", "update", "-q"), 300);
      run(Stream.concat(Stream.of("apt-get", "install", "-y", "-q"), PACKAGES.stream()).toList(), 600);
    } catch (IOException | InterruptedException e) {
      return "could not install " + String.join(" and ", PACKAGES) + " (" + e.getMessage() + ")";
    }
    return installed() ? null : "apt-get ran but nginx or " + MODULE + " is still missing";
  }

  private static boolean installed() {
    return Files.isRegularFile(MODULE) && Stream.of("/usr/sbin/nginx", "/usr/bin/nginx").anyMatch(p -> Files.isExecutable(Path.of(p)));
  }

  private static void run(List<String> command, int timeoutS) throws IOException, InterruptedException {
    Files.createDirectories(Path.of("target", "bench-logs"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "bench-logs", "apt-get.log").toFile())).start();
    if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " timed out");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + " (see target/bench-logs/apt-get.log)");
    }
  }

  /**
   * Writes the config under {@code dir} and starts nginx with {@code workers} worker processes and
   * descriptors for {@code connections} streams; returns once it answers.
   */
  static NchanServer start(Path dir, int workers, int connections, long fdLimit) throws IOException, InterruptedException {
    Files.createDirectories(dir.resolve("tmp"));
    int port = freePort();
    Path conf = dir.resolve("nginx.conf");
    String d = dir.toAbsolutePath().toString();
    Files.writeString(conf, String.join("\n",
        "load_module " + MODULE + ";",
        "worker_processes " + workers + ";",
        "worker_rlimit_nofile " + fdLimit + ";",
        "pid " + d + "/nginx.pid;",
        "error_log " + d + "/error.log warn;",
        "events { worker_connections " + Math.min(fdLimit, connections + 1_000L) + "; }",
        "http {",
        "  access_log off;",
        "  client_body_temp_path " + d + "/tmp/body;",
        "  proxy_temp_path " + d + "/tmp/proxy;",
        "  fastcgi_temp_path " + d + "/tmp/fastcgi;",
        "  uwsgi_temp_path " + d + "/tmp/uwsgi;",
        "  scgi_temp_path " + d + "/tmp/scgi;",
        "  server {",
        "    listen 127.0.0.1:" + port + ";",
        "    location = /pub { nchan_publisher; nchan_channel_id $arg_ch; nchan_message_buffer_length 16; }",
        "    location = /sub { nchan_subscriber eventsource; nchan_channel_id $arg_ch; nchan_eventsource_event upsert;",
        "      nchan_subscriber_first_message newest; }",
        "  }",
        "}", ""));
    Process master = new ProcessBuilder("nginx", "-p", d, "-e", d + "/error.log", "-c", conf.toString(), "-g", "daemon off;")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
    NchanServer server = new NchanServer(master, port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        server.publish("warm-up", "{}");
        return server;
      } catch (IOException e) {
        if (!master.isAlive() || System.nanoTime() > deadline) {
          server.close();
          throw new IOException("nginx did not start: " + Files.readString(dir.resolve("error.log")).strip(), e);
        }
        Thread.sleep(50);
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  int port() {
    return port;
  }

  long pid() {
    return master.pid();
  }

  /** The EventSource path of a channel. */
  static String subscribePath(String channel) {
    return "/sub?ch=" + channel;
  }

  /** Publishes one message to a channel and waits for nchan's answer. */
  void publish(String channel, String data) throws IOException, InterruptedException {
    HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pub?ch=" + channel))
        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(data)).build(), HttpResponse.BodyHandlers.discarding());
    if (answer.statusCode() >= 300) {
      throw new IOException("nchan publish answered " + answer.statusCode());
    }
  }

  /** User + system CPU time of the master and its workers so far, from /proc (clock ticks at 100 Hz). */
  Duration cpuTime() {
    long ticks = ProcCpu.ticks(master.pid()) + master.toHandle().children().mapToLong(c -> ProcCpu.ticks(c.pid())).sum();
    return Duration.ofMillis(ticks * 10);
  }

  private void stop() {
    if (master.isAlive()) {
      master.destroy(); // SIGTERM: nginx's fast shutdown, workers included
      try {
        if (!master.waitFor(10, TimeUnit.SECONDS)) {
          master.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
          master.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs stop() again, harmlessly
    }
  }
}
