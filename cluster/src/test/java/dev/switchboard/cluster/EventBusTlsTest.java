package dev.switchboard.cluster;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Mutual TLS on the clustered event bus: members whose certificates the cluster's CA signed talk; a
 * member that joined Hazelcast (which has no authentication) with a certificate of another CA gets
 * nothing through, although it trusts the cluster's CA.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EventBusTlsTest {

  private static final String ADDRESS = "tls-test.echo";

  @TempDir
  static Path dir;
  private static final List<ClusterNode> nodes = new ArrayList<>();
  private static ClusterNode coordinator;
  private static ClusterNode backend;
  private static ClusterOptions base;
  private static TestCertificates rogueCertificates;

  @BeforeAll
  static void start() throws Exception {
    TestCertificates cluster = TestCertificates.create(dir, "cluster");
    rogueCertificates = TestCertificates.create(dir, "rogue");
    // a cluster of its own, away from the ports a developer's demo or the system tests use
    int port = 6401 + ThreadLocalRandom.current().nextInt(0, 40) * 10;
    base = new ClusterOptions().setClusterName("tls-" + Long.toHexString(ThreadLocalRandom.current().nextLong()))
        .setPort(port).setMembers("127.0.0.1:" + port + "-" + (port + 9))
        .setTlsCert(cluster.cert().toString()).setTlsKey(cluster.key().toString()).setTlsCa(cluster.ca().toString());
    coordinator = started(new ClusterOptions(base));
    backend = started(new ClusterOptions(base).setLiteMember(true));
    backend.vertx().eventBus().<String>consumer(ADDRESS, m -> m.reply("echo " + m.body())).completion().await(10, TimeUnit.SECONDS);
  }

  private static ClusterNode started(ClusterOptions options) throws Exception {
    ClusterNode node = ClusterNode.start(options).await(90, TimeUnit.SECONDS);
    nodes.add(node);
    return node;
  }

  @AfterAll
  static void stop() throws Exception {
    // lite members first: the data member holds the cluster's data until they are gone
    for (int i = nodes.size() - 1; i >= 0; i--) {
      nodes.get(i).close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void membersWithCertificatesOfTheClusterCaTalk() throws Exception {
    Message<String> reply = coordinator.vertx().eventBus().<String>request(ADDRESS, "hello",
        new DeliveryOptions().setSendTimeout(10_000)).await(15, TimeUnit.SECONDS);
    assertEquals("echo hello", reply.body());
  }

  @Test
  void aMemberWithACertificateOfAnotherCaGetsNoMessageThrough() throws Exception {
    ClusterNode rogue = started(new ClusterOptions(base).setLiteMember(true)
        .setTlsCert(rogueCertificates.cert().toString()).setTlsKey(rogueCertificates.key().toString()));
    assertThrows(Exception.class, () -> rogue.vertx().eventBus().<String>request(ADDRESS, "let me in",
        new DeliveryOptions().setSendTimeout(3_000)).await(10, TimeUnit.SECONDS));
  }
}
