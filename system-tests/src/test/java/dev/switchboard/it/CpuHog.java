package dev.switchboard.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Busy loops that keep the machine's cores saturated: {@code bash} processes spinning on a builtin
 * (no forks), each ending by itself after {@code limit} in case the test JVM dies, and killed by pid
 * on {@link #close()}. Reports how busy the machine's CPUs were meanwhile (Linux {@code /proc/stat}).
 */
final class CpuHog implements AutoCloseable {

  private static final Path PROC_STAT = Path.of("/proc/stat");

  private final List<Process> loops;
  private final long[] cpuAtStart;

  private CpuHog(List<Process> loops, long[] cpuAtStart) {
    this.loops = loops;
    this.cpuAtStart = cpuAtStart;
  }

  /** Starts {@code processes} busy loops, each bounded by {@code limit}. */
  static CpuHog start(int processes, Duration limit) throws IOException {
    long[] before = cpuTimes();
    List<Process> loops = new ArrayList<>();
    try {
      for (int i = 0; i < processes; i++) {
        loops.add(new ProcessBuilder("bash", "-c", "while [ $SECONDS -lt " + limit.toSeconds() + " ]; do :; done")
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
      }
    } catch (IOException | RuntimeException e) {
      loops.forEach(Process::destroyForcibly);
      throw e;
    }
    return new CpuHog(loops, before);
  }

  /** The pids of the busy loops. */
  List<Long> pids() {
    return loops.stream().map(Process::pid).toList();
  }

  /** How busy the machine's CPUs were since the start, in percent, or -1 where /proc/stat cannot be read. */
  double busyPercent() {
    long[] now = cpuTimes();
    if (cpuAtStart == null || now == null) {
      return -1;
    }
    long total = Arrays.stream(now).sum() - Arrays.stream(cpuAtStart).sum();
    long idle = (now[3] + now[4]) - (cpuAtStart[3] + cpuAtStart[4]);
    return total <= 0 ? -1 : 100.0 * (total - idle) / total;
  }

  @Override
  public void close() throws InterruptedException {
    for (Process loop : loops) {
      loop.destroyForcibly();
    }
    for (Process loop : loops) {
      loop.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The aggregate {@code cpu} line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal. */
  private static long[] cpuTimes() {
    try {
      String line = Files.readAllLines(PROC_STAT).get(0);
      String[] fields = line.trim().split("\\s+");
      long[] times = new long[8];
      for (int i = 0; i < times.length && i + 1 < fields.length; i++) {
        times[i] = Long.parseLong(fields[i + 1]);
      }
      return times;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
