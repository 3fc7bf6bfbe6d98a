package dev.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Writes one scenario's section into BENCHMARKS.md, replacing the previous run of that scenario. */
final class BenchReport {

  private BenchReport() {
  }

  static void write(Path file, String scenario, String command, String body) throws IOException {
    String begin = "<!-- bench:" + scenario + " -->";
    String end = "<!-- /bench:" + scenario + " -->";
    String machine = Runtime.getRuntime().availableProcessors() + " cores, "
        + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB bench heap, Java " + System.getProperty("java.version");
    String section = begin + "\n"
        + "Measured " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " on " + machine + ".\n\n"
        + "Command: `" + command + "`\n\n" + body.strip() + "\n" + end;
    String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n\nFigures written by the `bench` module; "
        + "each section names the command that produced it. Every process shares this machine's cores.\n";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b >= 0 && e > b) {
      text = text.substring(0, b) + section + text.substring(e + end.length());
    } else {
      text = text.stripTrailing() + "\n\n## " + scenario + "\n\n" + section + "\n";
    }
    Files.writeString(file, text);
  }
}
