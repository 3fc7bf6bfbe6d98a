package dev.switchboard.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The heap of another JVM after a full GC, read with the JDK's {@code jcmd}. */
final class JvmHeap {

  /** A generation's line of {@code GC.heap_info} (Serial and Parallel GC): "... total 1234K, used 567K". */
  private static final Pattern GENERATION = Pattern.compile("generation\\s+total \\d+K, used (\\d+)K");
  /** The whole heap's line with G1: "garbage-first heap   total 1234K, used 567K". */
  private static final Pattern G1_HEAP = Pattern.compile("garbage-first heap\\s+total \\d+K, used (\\d+)K");

  private JvmHeap() {
  }

  /** Runs a full GC in {@code pid} and returns the heap then in use, in KiB. */
  static long usedAfterGcKb(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher g1 = G1_HEAP.matcher(info);
    if (g1.find()) {
      return Long.parseLong(g1.group(1));
    }
    Matcher m = GENERATION.matcher(info);
    long used = 0;
    int generations = 0;
    while (m.find()) {
      used += Long.parseLong(m.group(1));
      generations++;
    }
    if (generations == 0) {
      throw new AssertionError("no generation in GC.heap_info of " + pid + ":\n" + info);
    }
    return used;
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    Path jcmd = java.resolveSibling("jcmd");
    Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
    }
    return out;
  }
}
