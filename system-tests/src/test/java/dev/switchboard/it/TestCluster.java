package dev.switchboard.it;

import java.util.concurrent.ThreadLocalRandom;

/** A cluster name and Hazelcast port range of its own, so a test never joins a developer's running demo. */
record TestCluster(String name, int port) {

  static TestCluster unique() {
    int port = 5801 + ThreadLocalRandom.current().nextInt(0, 40) * 10;
    return new TestCluster("it-" + Long.toHexString(ThreadLocalRandom.current().nextLong()), port);
  }

  String members() {
    return "127.0.0.1:" + port + "-" + (port + 9);
  }

  /** The cluster flags every node of this test takes. */
  String[] args(String... extra) {
    String[] base = {"--cluster-name", name, "--cluster-port", String.valueOf(port), "--cluster-members", members()};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }
}
