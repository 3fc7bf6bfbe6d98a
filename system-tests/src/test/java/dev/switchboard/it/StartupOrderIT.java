package dev.switchboard.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Nodes may start in any order: a backend node started before any coordinator waits quietly, then joins. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StartupOrderIT {

  @Test
  void aBackendNodeStartedBeforeAnyCoordinatorWaitsQuietlyAndRegistersOnceOneIsUp() throws Exception {
    TestCluster cluster = TestCluster.unique();
    try (JvmProcess backend = JvmProcess.start("early-backend", "switchboard.backend.jar",
        cluster.args("--instances", "1", "--port-base", "0", "--host", "127.0.0.1"))) {
      backend.awaitLine("has no coordinator \\(data member\\) yet; waiting for one", Duration.ofSeconds(90));
      try (TestCluster.Coordinator coordinator = cluster.coordinator("late-coordinator")) {
        String id = backend.awaitLine("switchboard backend (\\S+-0): ws://", Duration.ofSeconds(90)).group(1);
        Http.await("the early backend listed", Duration.ofSeconds(30), () -> Http.getJson(coordinator.base() + "/v1/backends")
            .getJsonArray("backends").stream().anyMatch(b -> id.equals(((io.vertx.core.json.JsonObject) b).getString("id"))));
        assertEquals(0, backend.count("ERROR|Failed to initialize clustered Vert.x"), "no error while it waited");
      }
    }
  }
}
