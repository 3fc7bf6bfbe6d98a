package dev.switchboard.it;

import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A test cluster of its own with one coordinator JVM, and a Vert.x for the test's clients; closed together. */
record CoordinatorFixture(TestCluster cluster, TestCluster.Coordinator coordinator, Vertx vertx) implements AutoCloseable {

  /** Starts a coordinator labelled {@code label} with {@code args} in a fresh cluster. */
  static CoordinatorFixture start(String label, String... args) throws Exception {
    TestCluster cluster = TestCluster.unique();
    return new CoordinatorFixture(cluster, cluster.coordinator(label, args), Vertx.vertx());
  }

  /** Waits until the coordinator lists exactly {@code count} backends. */
  void awaitListed(int count) throws Exception {
    Http.await(count + " backends listed", Duration.ofSeconds(20), () -> Http.getJson(coordinator.base() + "/v1/backends")
        .getJsonArray("backends").size() == count);
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
