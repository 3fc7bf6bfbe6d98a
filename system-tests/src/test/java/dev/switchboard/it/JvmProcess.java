package dev.switchboard.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Switchboard jar running in its own JVM; its output is kept in memory and in a log file. */
final class JvmProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final List<String> lines = new ArrayList<>();

  private JvmProcess(String name, Process process, Path log) throws IOException {
    this.name = name;
    this.process = process;
    PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true);
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          file.println(line);
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException e) {
        file.println("[output closed: " + e + "]");
      } finally {
        file.close();
        synchronized (lines) {
          lines.notifyAll();
        }
      }
    }, "output-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts {@code java -jar <system property jarProperty> args…}. */
  static JvmProcess start(String name, String jarProperty, String... args) throws IOException {
    return launch(name, jarProperty, null, args);
  }

  /** Starts {@code java -cp <jar> mainClass args…}. */
  static JvmProcess startMain(String name, String jarProperty, String mainClass, String... args) throws IOException {
    return launch(name, jarProperty, mainClass, args);
  }

  /** Starts {@code java -jar <system property jarProperty> args…} inside network namespace {@code netns}. */
  static JvmProcess startInNetns(String netns, String name, String jarProperty, String... args) throws IOException {
    return run(name, List.of("ip", "netns", "exec", netns), javaCommand(jar(jarProperty), null, args));
  }

  /** Starts {@code java -cp <this test's class path> mainClass args…} inside network namespace {@code netns}. */
  static JvmProcess startTestMainInNetns(String netns, String name, Class<?> mainClass, String... args) throws IOException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return run(name, List.of("ip", "netns", "exec", netns), javaCommand(classpath, mainClass.getName(), args));
  }

  private static JvmProcess launch(String name, String jarProperty, String mainClass, String... args) throws IOException {
    return run(name, List.of(), javaCommand(jar(jarProperty), mainClass, args));
  }

  private static String jar(String jarProperty) {
    String jar = System.getProperty(jarProperty);
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("jar not built: " + jarProperty + "=" + jar + " (run mvn verify from the root)");
    }
    return jar;
  }

  /** {@code java -jar jar args…} when {@code mainClass} is null, else {@code java -cp jar mainClass args…}. */
  private static List<String> javaCommand(String jar, String mainClass, String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-Djava.net.preferIPv4Stack=true"));
    // for a look inside a node while a test runs, e.g. SWITCHBOARD_IT_JVM_ARGS=-XX:StartFlightRecording=filename=/tmp/x.jfr
    String extra = System.getenv("SWITCHBOARD_IT_JVM_ARGS");
    if (extra != null && !extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    if (mainClass == null) {
      command.addAll(List.of("-jar", jar));
    } else {
      command.addAll(List.of("--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens",
          "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", jar, mainClass));
    }
    command.addAll(List.of(args));
    return command;
  }

  private static JvmProcess run(String name, List<String> prefix, List<String> java) throws IOException {
    Path logs = Path.of(System.getProperty("switchboard.logs", "target/it-logs"));
    Files.createDirectories(logs);
    List<String> command = new ArrayList<>(prefix);
    command.addAll(java);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    return new JvmProcess(name, process, logs.resolve(name + "-" + process.pid() + ".log"));
  }

  /** Waits for an output line matching {@code regex}; fails with the output so far if the process dies first. */
  Matcher awaitLine(String regex, Duration timeout) throws InterruptedException {
    Pattern pattern = Pattern.compile(regex);
    long deadline = System.nanoTime() + timeout.toNanos();
    int seen = 0;
    synchronized (lines) {
      while (true) {
        for (; seen < lines.size(); seen++) {
          Matcher m = pattern.matcher(lines.get(seen));
          if (m.find()) {
            return m;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0 || !process.isAlive() && seen == lines.size()) {
          throw new AssertionError(name + ": no line matching /" + regex + "/ within " + timeout
              + (process.isAlive() ? "" : " (process exited)") + "; output:\n" + String.join("\n", lines));
        }
        lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)))));
      }
    }
  }

  /** How many output lines so far match {@code regex}. */
  long count(String regex) {
    Pattern pattern = Pattern.compile(regex);
    synchronized (lines) {
      return lines.stream().filter(l -> pattern.matcher(l).find()).count();
    }
  }

  /** A copy of every output line so far. */
  List<String> lines() {
    synchronized (lines) {
      return List.copyOf(lines);
    }
  }

  /** Writes one line to the process's standard input. */
  void send(String line) throws IOException {
    var in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL: no shutdown hook runs, no goodbye reaches the cluster. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Sends a signal by name (STOP, CONT, …) with the system's kill command. */
  void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits for the process to exit by itself; returns its exit code. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      synchronized (lines) {
        throw new AssertionError(name + " did not exit within " + timeout + "; output:\n" + String.join("\n", lines));
      }
    }
    return process.exitValue();
  }

  /** SIGTERM: the shutdown hook runs; waits for the exit. */
  int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not exit within " + timeout + " of SIGTERM");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
