package dev.switchboard.it;

import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/** A test cluster of its own with one coordinator JVM, and a Vert.x for the test's clients; closed together. */
record CoordinatorFixture(TestCluster cluster, TestCluster.Coordinator coordinator, Vertx vertx) implements AutoCloseable {

  /** Starts a coordinator labelled {@code label} with {@code args} in a fresh cluster. */
  static CoordinatorFixture start(String label, String... args) throws Exception {
    TestCluster cluster = TestCluster.unique();
    return new CoordinatorFixture(cluster, cluster.coordinator(label, args), Vertx.vertx());
  }

  @Override
  public void close() throws Exception {
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } finally {
      coordinator.close();
    }
  }
}
