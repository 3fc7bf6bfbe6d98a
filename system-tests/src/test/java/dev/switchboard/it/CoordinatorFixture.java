package dev.switchboard.it;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

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

  /** Waits until every listed backend reports no connection (closed clients are gone from the loads). */
  void awaitNoConnections() throws Exception {
    Http.await("the connections gone from the loads", Duration.ofSeconds(20), () -> Http.getJson(coordinator.base() + "/v1/backends")
        .getJsonArray("backends").stream().allMatch(b -> ((JsonObject) b).getInteger("connections") == 0));
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
