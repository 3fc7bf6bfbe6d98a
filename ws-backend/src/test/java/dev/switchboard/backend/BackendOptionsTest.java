package dev.switchboard.backend;

import dev.switchboard.cluster.CommandLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendOptionsTest {

  @Test
  void theRebalanceOptionsSurviveAJsonRoundTripAndACopy() {
    BackendOptions options = new BackendOptions().setRebalanceIntervalMs(750).setRebalanceDeadlineMs(3_000)
        .setRebalanceHoldDownMs(12_000).setRebalanceThreshold(1.25);
    for (BackendOptions copy : new BackendOptions[] {new BackendOptions(options.toJson()), new BackendOptions(options)}) {
      assertEquals(750, copy.getRebalanceIntervalMs());
      assertEquals(3_000, copy.getRebalanceDeadlineMs());
      assertEquals(12_000, copy.getRebalanceHoldDownMs());
      assertEquals(1.25, copy.getRebalanceThreshold());
    }
    assertEquals(options.toJson(), new BackendOptions(options.toJson()).toJson());
  }

  @Test
  void theLauncherReadsTheRebalanceFlagsAndEnvironment() {
    BackendOptions defaults = BackendMain.options(BackendMain.commandLine().parse(new String[0], Map.of()));
    assertEquals(BackendOptions.DEFAULT_REBALANCE_INTERVAL_MS, defaults.getRebalanceIntervalMs());
    assertEquals(BackendOptions.DEFAULT_REBALANCE_DEADLINE_MS, defaults.getRebalanceDeadlineMs());
    assertEquals(BackendOptions.DEFAULT_REBALANCE_HOLD_DOWN_MS, defaults.getRebalanceHoldDownMs());
    BackendOptions set = BackendMain.options(BackendMain.commandLine().parse(
        new String[] {"--rebalance-interval-ms", "500", "--rebalance-deadline-ms", "4000"},
        Map.of("SWITCHBOARD_REBALANCE_HOLD_DOWN_MS", "0")));
    assertEquals(500, set.getRebalanceIntervalMs());
    assertEquals(4_000, set.getRebalanceDeadlineMs());
    assertEquals(0, set.getRebalanceHoldDownMs());
  }

  @Test
  void aNegativeHoldDownOrDeadlineOrANonPositiveIntervalIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setRebalanceHoldDownMs(-1));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setRebalanceDeadlineMs(-1));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setRebalanceIntervalMs(0));
  }

  @Test
  void theTicketAndOriginOptionsSurviveAJsonRoundTripAndTicketsAreOffByDefault() {
    BackendOptions defaults = BackendMain.options(BackendMain.commandLine().parse(new String[0], Map.of()));
    assertFalse(defaults.hasTicketKeys());
    assertEquals("*", defaults.getAllowedOrigins());
    BackendOptions options = new BackendOptions().setTicketSecret("s".repeat(32)).setTicketJwks("{\"keys\":[]}")
        .setAllowedOrigins("https://a.example,https://b.example");
    BackendOptions copy = new BackendOptions(options);
    assertEquals("s".repeat(32), copy.getTicketSecret());
    assertEquals("{\"keys\":[]}", copy.getTicketJwks());
    assertEquals("https://a.example,https://b.example", copy.getAllowedOrigins());
    assertTrue(copy.hasTicketKeys());
    assertFalse(new BackendOptions().setTicketSecret(" ").hasTicketKeys());
  }

  @Test
  void theLauncherReadsTheTicketKeyFromAFileOrInlineAndRefusesUnfitKeysAndOrigins(@TempDir Path dir) throws Exception {
    String secret = "0123456789abcdef0123456789abcdef";
    BackendOptions fromEnv = BackendMain.options(BackendMain.commandLine().parse(new String[] {"--allowed-origins",
        "https://App.example/, http://localhost:5173"}, Map.of("SWITCHBOARD_TICKET_SECRET", secret)));
    assertEquals(secret, fromEnv.getTicketSecret());
    assertEquals("https://app.example,http://localhost:5173", fromEnv.getAllowedOrigins());
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(
        KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    Path file = Files.writeString(dir.resolve("ticket.pem"), pem);
    assertEquals(pem, BackendMain.options(BackendMain.commandLine().parse(
        new String[] {"--ticket-public-key", file.toString()}, Map.of())).getTicketPublicKey());
    assertEquals(pem, BackendMain.options(BackendMain.commandLine().parse(
        new String[] {"--ticket-public-key", pem}, Map.of())).getTicketPublicKey());
    for (String[] bad : List.of(new String[] {"--ticket-secret", "too-short"},
        new String[] {"--ticket-public-key", dir.resolve("missing.pem").toString()},
        new String[] {"--ticket-jwks", "{\"keys\":[]}"},
        new String[] {"--allowed-origins", "app.example"})) {
      assertThrows(CommandLine.UsageException.class,
          () -> BackendMain.options(BackendMain.commandLine().parse(bad, Map.of())), String.join(" ", bad));
    }
  }

  @Test
  void theRoomAndOutboundLimitsHaveDefaultsFlagsAndAJsonRoundTrip() {
    BackendOptions defaults = BackendMain.options(BackendMain.commandLine().parse(new String[0], Map.of()));
    assertEquals(100, defaults.getMaxRoomsPerConnection());
    assertEquals(10_000, defaults.getMaxRoomsPerNode());
    assertEquals(600_000, defaults.getRoomTtlMs());
    assertEquals(1_048_576, defaults.getMaxOutboundBytes());
    BackendOptions set = BackendMain.options(BackendMain.commandLine().parse(
        new String[] {"--max-rooms-per-connection", "20", "--max-rooms-per-node", "300", "--room-ttl-ms", "4000"},
        Map.of("SWITCHBOARD_MAX_OUTBOUND_BYTES", "65536")));
    BackendOptions copy = new BackendOptions(set.toJson());
    assertEquals(20, copy.getMaxRoomsPerConnection());
    assertEquals(300, copy.getMaxRoomsPerNode());
    assertEquals(4_000, copy.getRoomTtlMs());
    assertEquals(65_536, copy.getMaxOutboundBytes());
  }

  @Test
  void aRoomCapOrOutboundBoundBelowOneOrATtlUnderASecondIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setMaxRoomsPerConnection(0));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setMaxRoomsPerNode(0));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setRoomTtlMs(999));
    assertThrows(IllegalArgumentException.class, () -> new BackendOptions().setMaxOutboundBytes(0));
  }

  @Test
  void tlsIsOffByDefaultAndItsPemFilesComeFromFlagsOrEnvironmentAndSurviveTheJsonRoundTrip(@TempDir Path dir) throws Exception {
    assertEquals(null, new BackendOptions().serverTls());
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    BackendOptions options = BackendMain.options(BackendMain.commandLine().parse(new String[] {"--tls-cert", cert.toString()},
        Map.of("SWITCHBOARD_TLS_KEY", key.toString())));
    assertEquals(cert.toString(), options.getTlsCert());
    assertEquals(key.toString(), options.getTlsKey());
    assertEquals(options.toJson(), new BackendOptions(options).toJson());
    assertEquals(cert.toString(), new BackendOptions(options.toJson()).serverTls().certPath());
    assertThrows(CommandLine.UsageException.class, () -> BackendMain.options(BackendMain.commandLine().parse(
        new String[] {"--tls-cert", cert.toString()}, Map.of())));
  }
}
