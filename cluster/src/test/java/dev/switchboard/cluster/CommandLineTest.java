package dev.switchboard.cluster;

import com.hazelcast.config.JoinConfig;
import io.vertx.core.http.HttpServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineTest {

  private final CommandLine cli = new CommandLine("backend", "Runs backends.")
      .option("instances", "SWITCHBOARD_INSTANCES", 3, "backend verticles")
      .clusterOptions();

  @Test
  void flagBeatsEnvironmentWhichBeatsDefault() {
    assertEquals(3, cli.parse(new String[0], Map.of()).getInt("instances"));
    assertEquals(5, cli.parse(new String[0], Map.of("SWITCHBOARD_INSTANCES", "5")).getInt("instances"));
    assertEquals(7, cli.parse(new String[] {"--instances", "7"}, Map.of("SWITCHBOARD_INSTANCES", "5")).getInt("instances"));
    assertEquals(8, cli.parse(new String[] {"--instances=8"}, Map.of()).getInt("instances"));
  }

  @Test
  void unknownOptionMissingValueAndNonIntegerAreUsageErrors() {
    assertThrows(CommandLine.UsageException.class, () -> cli.parse(new String[] {"--nope", "1"}, Map.of()));
    assertThrows(CommandLine.UsageException.class, () -> cli.parse(new String[] {"--instances"}, Map.of()));
    assertThrows(CommandLine.UsageException.class,
        () -> cli.parse(new String[] {"--instances", "many"}, Map.of()).getInt("instances"));
  }

  @Test
  void booleansAndNumbersAreCheckedNotGuessed() {
    CommandLine c = new CommandLine("x", "y").option("flag", null, true, "a flag").option("ratio", null, 1.1, "a ratio");
    assertEquals(false, c.parse(new String[] {"--flag", "FALSE"}, Map.of()).getBoolean("flag"));
    assertThrows(CommandLine.UsageException.class, () -> c.parse(new String[] {"--flag", "banana"}, Map.of()).getBoolean("flag"));
    assertEquals(1.25, c.parse(new String[] {"--ratio", "1.25"}, Map.of()).getDouble("ratio"));
    assertThrows(CommandLine.UsageException.class, () -> c.parse(new String[] {"--ratio", "x"}, Map.of()).getDouble("ratio"));
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    assertNull(cli.parse(new String[] {"--help"}, Map.of()));
    String help = cli.help();
    assertTrue(help.contains("--instances <value>") && help.contains("(default: 3)"), help);
    assertTrue(help.contains("--cluster-members") && help.contains(ClusterOptions.DEFAULT_MEMBERS), help);
  }

  @Test
  void memberRangesExpandToOneAddressPerPort() {
    assertEquals(List.of("127.0.0.1:5701", "127.0.0.1:5702", "10.0.0.5", "h:6000"),
        ClusterOptions.expandMembers("127.0.0.1:5701-5702, 10.0.0.5,h:6000"));
    assertThrows(IllegalArgumentException.class, () -> ClusterOptions.expandMembers("h:9-3"));
    assertThrows(IllegalArgumentException.class, () -> ClusterOptions.expandMembers(" , "));
  }

  @Test
  void clusterOptionsRoundTripThroughJson() {
    ClusterOptions options = cli.parse(new String[] {"--cluster-name", "t1", "--cluster-port", "5801"}, Map.of())
        .clusterOptions().setLiteMember(true);
    ClusterOptions copy = new ClusterOptions(options);
    assertEquals(options.toJson(), copy.toJson());
    assertEquals("t1", copy.getClusterName());
    assertEquals(5801, copy.getPort());
    assertEquals("t1", copy.toHazelcastConfig().getClusterName());
  }

  @Test
  void aNonLoopbackClusterHostWithoutASecretIsAUsageErrorThatNamesTheSecret() {
    CommandLine.UsageException e = assertThrows(CommandLine.UsageException.class,
        () -> cli.parse(new String[] {"--cluster-host", "0.0.0.0"}, Map.of()).clusterOptions());
    assertTrue(e.getMessage().contains("--cluster-secret") && e.getMessage().contains("SWITCHBOARD_CLUSTER_SECRET"), e.getMessage());
    ClusterOptions fromEnv = cli.parse(new String[] {"--cluster-host", "10.1.2.3"},
        Map.of("SWITCHBOARD_CLUSTER_SECRET", "0123456789abcdef")).clusterOptions();
    assertEquals("0123456789abcdef", fromEnv.getSecret());
  }

  @Test
  void onLoopbackTheSecretIsOptionalButNeverShort() {
    assertNull(cli.parse(new String[0], Map.of()).clusterOptions().getSecret());
    assertNull(cli.parse(new String[] {"--cluster-host", "127.0.0.2"}, Map.of()).clusterOptions().getSecret());
    assertThrows(CommandLine.UsageException.class,
        () -> cli.parse(new String[] {"--cluster-secret", "short"}, Map.of()).clusterOptions());
  }

  @Test
  void eventBusTlsNeedsCertificateKeyAndCaTogether() {
    assertThrows(CommandLine.UsageException.class,
        () -> cli.parse(new String[] {"--cluster-tls-cert", "c.pem", "--cluster-tls-key", "k.pem"}, Map.of()).clusterOptions());
    ClusterOptions tls = cli.parse(new String[] {"--cluster-tls-cert", "c.pem", "--cluster-tls-key", "k.pem",
        "--cluster-tls-ca", "ca.pem"}, Map.of()).clusterOptions();
    assertTrue(tls.isTls());
    assertTrue(ClusterNode.eventBusOptions(tls).isSsl());
  }

  @Test
  void hazelcastAndTheEventBusBindTheClusterHostOnly() {
    ClusterOptions options = cli.parse(new String[] {"--cluster-host", "127.0.0.1", "--cluster-bus-port", "5900"}, Map.of())
        .clusterOptions();
    var config = options.toHazelcastConfig();
    assertEquals("false", config.getProperty("hazelcast.socket.bind.any"));
    assertEquals(List.of("127.0.0.1"), List.copyOf(config.getNetworkConfig().getInterfaces().getInterfaces()));
    var bus = ClusterNode.eventBusOptions(options);
    assertEquals("127.0.0.1", bus.getHost());
    assertEquals(5900, bus.getPort());
  }

  @Test
  void theSecretAndTlsFilesSurviveTheJsonRoundTrip() {
    ClusterOptions options = new ClusterOptions().setSecret("0123456789abcdef").setBusPort(7000)
        .setTlsCert("c.pem").setTlsKey("k.pem").setTlsCa("ca.pem");
    assertEquals(options.toJson(), new ClusterOptions(options).toJson());
    assertEquals("0123456789abcdef", new ClusterOptions(options).getSecret());
  }

  @Test
  void clusterDnsSwitchesTheJoinToKubernetesDnsDiscovery() {
    CommandLine cli = new CommandLine("x", "test").clusterOptions();
    ClusterOptions options = cli.parse(new String[] {"--cluster-port", "5801"},
        Map.of("SWITCHBOARD_CLUSTER_DNS", "sb-hazelcast.default.svc.cluster.local")).clusterOptions();
    JoinConfig join = options.toHazelcastConfig().getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("sb-hazelcast.default.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertEquals("5801", join.getKubernetesConfig().getProperty("service-port"));
    assertTrue(!join.getTcpIpConfig().isEnabled(), "no TCP-IP list alongside DNS discovery");
    assertEquals(options.toJson(), new ClusterOptions(options).toJson());
    assertTrue(new ClusterOptions().toHazelcastConfig().getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
  }

  @Test
  void autoHostIsThisMachinesResolvedAddress() throws Exception {
    CommandLine cli = new CommandLine("x", "test").clusterOptions();
    ClusterOptions options = cli.parse(new String[] {"--cluster-host", "auto", "--cluster-secret", "0123456789abcdef"}, Map.of())
        .clusterOptions();
    assertEquals(InetAddress.getLocalHost().getHostAddress(), options.getHost());
    assertEquals("10.1.2.3", cli.parse(new String[] {"--cluster-host", "10.1.2.3"}, Map.of()).getHost("cluster-host"));
  }

  @Test
  void serverTlsNeedsBothReadablePemFiles(@TempDir Path dir) throws Exception {
    CommandLine cli = new CommandLine("x", "test").tlsOptions();
    assertNull(cli.parse(new String[0], Map.of()).serverTls());
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    Path key = Files.writeString(dir.resolve("k.pem"), "x");
    assertThrows(CommandLine.UsageException.class,
        () -> cli.parse(new String[] {"--tls-cert", cert.toString()}, Map.of()).serverTls());
    assertThrows(CommandLine.UsageException.class,
        () -> cli.parse(new String[] {"--tls-cert", cert.toString(), "--tls-key", dir.resolve("missing.pem").toString()},
            Map.of()).serverTls());
    ServerTls tls = cli.parse(new String[0], Map.of("SWITCHBOARD_TLS_CERT", cert.toString(), "SWITCHBOARD_TLS_KEY",
        key.toString())).serverTls();
    assertEquals(new ServerTls(cert.toString(), key.toString()), tls);
    assertTrue(tls.apply(new HttpServerOptions()).isSsl());
    assertEquals("wss", ServerTls.webSocketScheme(tls));
    assertEquals("ws", ServerTls.webSocketScheme(null));
  }
}
