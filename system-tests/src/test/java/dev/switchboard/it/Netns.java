package dev.switchboard.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A small network of "hosts" on one machine: one Linux network namespace per host, each joined to a
 * bridge in the root namespace by a veth pair, all in one /24 of 198.18.0.0/15 (the range set aside
 * for network benchmarks). The root namespace holds {@code .1}, so the test itself reaches every host.
 * Every name starts with a random {@code sb<4 hex>} prefix, so a crashed run's leftovers never collide
 * with the next run. {@link #close()} removes everything this instance made (also from a shutdown hook).
 * Needs root and the {@code ip} command.
 */
final class Netns implements AutoCloseable {

  private final String prefix;
  private final int octet;
  private final String bridge;
  /** Host name → its namespace; in creation order. */
  private final Map<String, String> namespaces = new LinkedHashMap<>();
  private final Map<String, String> addresses = new LinkedHashMap<>();
  /** Processes started inside the namespaces: stopped before the namespaces go. */
  private final List<JvmProcess> processes = new ArrayList<>();
  private final Thread hook = new Thread(this::cleanUp, "netns-cleanup");
  private boolean closed;

  Netns() throws IOException, InterruptedException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    prefix = "sb" + String.format("%04x", random.nextInt(0x10000));
    octet = random.nextInt(1, 255);
    bridge = prefix + "br";
    Runtime.getRuntime().addShutdownHook(hook);
    ip("link", "add", bridge, "type", "bridge");
    ip("addr", "add", subnet(1) + "/24", "dev", bridge);
    ip("link", "set", bridge, "up");
  }

  /** Whether this machine lets the test build namespaces: root, and {@code ip netns} works. */
  static boolean available() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return false;
    }
    try {
      Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** An address of this run's /24: {@code 198.18.<octet>.<last>}. */
  String subnet(int last) {
    return "198.18." + octet + "." + last;
  }

  /** Adds a host: a namespace with loopback up and {@code address} on its veth; returns the namespace name. */
  String host(String name, int last) throws IOException, InterruptedException {
    String ns = prefix + "-" + name;
    String outside = prefix + name;
    if (outside.length() > 15) {
      throw new IllegalArgumentException("interface name too long: " + outside);
    }
    ip("netns", "add", ns);
    namespaces.put(name, ns);
    ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", ns);
    ip("link", "set", outside, "master", bridge);
    ip("link", "set", outside, "up");
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "addr", "add", subnet(last) + "/24", "dev", "eth0");
    ip("-n", ns, "link", "set", "eth0", "up");
    addresses.put(name, subnet(last));
    return ns;
  }

  /** Starts {@code java -jar <jar of jarProperty> args…} on the host; the process is stopped by {@link #close()}. */
  synchronized JvmProcess start(String host, String label, String jarProperty, String... args) throws IOException {
    JvmProcess p = JvmProcess.startInNetns(namespaces.get(host), label, jarProperty, args);
    processes.add(p);
    return p;
  }

  /** Starts a main class of the test class path on the host; the process is stopped by {@link #close()}. */
  synchronized JvmProcess startMain(String host, String label, Class<?> mainClass, String... args) throws IOException {
    JvmProcess p = JvmProcess.startTestMainInNetns(namespaces.get(host), label, mainClass, args);
    processes.add(p);
    return p;
  }

  String namespace(String host) {
    return namespaces.get(host);
  }

  String address(String host) {
    return addresses.get(host);
  }

  /** Takes the host's link to the bridge down: nothing reaches it and it reaches nothing, not even a reset. */
  void partition(String host) throws IOException, InterruptedException {
    ip("link", "set", prefix + host, "down");
  }

  /** Brings the host's link up again. */
  void heal(String host) throws IOException, InterruptedException {
    ip("link", "set", prefix + host, "up");
  }

  @Override
  public void close() {
    cleanUp();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs (or ran) the same clean-up
    }
  }

  /** Deletes the namespaces (their veth ends go with them, and so the pairs) and the bridge. Idempotent. */
  private synchronized void cleanUp() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> failures = new ArrayList<>();
    for (JvmProcess p : processes) {
      try {
        p.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add("interrupted while stopping " + p.pid());
      }
    }
    for (String ns : namespaces.values()) {
      quietly(failures, "netns", "del", ns);
    }
    quietly(failures, "link", "del", bridge);
    if (!failures.isEmpty()) {
      System.err.println("netns clean-up: " + failures);
    }
  }

  private static void quietly(List<String> failures, String... args) {
    try {
      ip(args);
    } catch (IOException e) {
      failures.add(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failures.add("interrupted: ip " + String.join(" ", args));
    }
  }

  /** Runs {@code ip args…}; fails with its output unless it exits 0 within 10 s. */
  static void ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + ": no exit within 10 s");
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " → " + p.exitValue() + ": " + out.strip());
    }
  }

  /** Whether a namespace of this name exists now (for the clean-up test). */
  static boolean exists(String ns) {
    return Files.exists(Path.of("/run/netns", ns));
  }
}
