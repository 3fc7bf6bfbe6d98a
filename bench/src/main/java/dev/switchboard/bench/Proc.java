package dev.switchboard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A child JVM running one of our jars, with its output kept for matching, and its /proc figures. */
final class Proc implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new ArrayList<>();

  Proc(List<String> command, Path log) throws IOException {
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
           var out = Files.newBufferedWriter(log)) {
        String line;
        while ((line = in.readLine()) != null) {
          out.write(line);
          out.newLine();
          out.flush();
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException e) {
        // the process is gone
      }
    });
    pump.setDaemon(true);
    pump.start();
  }

  static Proc java(String jar, String heap, Path logDir, String label, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx" + heap, "-Djava.net.preferIPv4Stack=true"));
    command.addAll(extraJvmArgs(label));
    command.addAll(List.of("-jar", jar));
    command.addAll(List.of(args));
    Files.createDirectories(logDir);
    return new Proc(command, logDir.resolve(label + ".log"));
  }

  /**
   * JVM flags from {@code SWITCHBOARD_BENCH_JVM_ARGS} for a look inside the nodes while a bench runs, e.g.
   * {@code -XX:StartFlightRecording=filename=/tmp/{label}.jfr}; {@code {label}} becomes the node's label.
   */
  static List<String> extraJvmArgs(String label) {
    String extra = System.getenv("SWITCHBOARD_BENCH_JVM_ARGS");
    if (extra == null || extra.isBlank()) {
      return List.of();
    }
    return List.of(extra.trim().replace("{label}", label).split("\\s+"));
  }

  Matcher await(String regex, Duration timeout) throws InterruptedException {
    Pattern p = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher m = p.matcher(lines.get(seen));
          if (m.find()) {
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive()) {
          throw new IllegalStateException("no line /" + regex + "/ from pid " + process.pid() + ": " + lines);
        }
        lines.wait(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
      }
    }
  }

  /** Writes one line to the process's standard input. */
  void send(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  boolean alive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  void signal(String name) throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
  }

  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** User + system CPU time of the process so far, from /proc (clock ticks at 100 Hz). */
  Duration cpuTime() throws IOException {
    return Duration.ofMillis(ProcCpu.ticks(process.pid()) * 10);
  }

  /** Runs a full GC in the process and returns its used heap in bytes (jcmd GC.heap_info). */
  long usedHeapAfterGc() throws IOException, InterruptedException {
    jcmd("GC.run");
    String info = jcmd("GC.heap_info");
    Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  private String jcmd(String command) throws IOException, InterruptedException {
    Path jcmd = Path.of(ProcessHandle.current().info().command().orElse("java")).resolveSibling("jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
