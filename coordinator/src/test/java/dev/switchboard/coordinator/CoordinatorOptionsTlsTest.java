package dev.switchboard.coordinator;

import dev.switchboard.cluster.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CoordinatorOptionsTlsTest {

  @Test
  void tlsIsOffByDefaultAndItsPemFilesComeFromFlagsOrEnvironmentAndSurviveTheJsonRoundTrip(@TempDir Path dir) throws Exception {
    assertNull(new CoordinatorOptions().serverTls());
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    CoordinatorOptions options = CoordinatorMain.options(CoordinatorMain.commandLine().parse(new String[0],
        Map.of("SWITCHBOARD_TLS_CERT", cert.toString(), "SWITCHBOARD_TLS_KEY", key.toString())));
    assertEquals(cert.toString(), options.getTlsCert());
    assertEquals(key.toString(), options.getTlsKey());
    assertEquals(options.toJson(), new CoordinatorOptions(options).toJson());
    assertEquals(key.toString(), new CoordinatorOptions(options.toJson()).serverTls().keyPath());
  }

  @Test
  void aKeyWithoutACertificateOrAnUnreadableFileIsAUsageError(@TempDir Path dir) throws Exception {
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    assertThrows(CommandLine.UsageException.class, () -> CoordinatorMain.options(CoordinatorMain.commandLine().parse(
        new String[] {"--tls-key", key.toString()}, Map.of())));
    assertThrows(CommandLine.UsageException.class, () -> CoordinatorMain.options(CoordinatorMain.commandLine().parse(
        new String[] {"--tls-key", key.toString(), "--tls-cert", dir.resolve("none.pem").toString()}, Map.of())));
  }
}
