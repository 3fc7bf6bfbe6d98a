package dev.switchboard.it;

import dev.switchboard.client.BackendListStream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A coordinator frozen with SIGSTOP keeps its TCP connections open and sends nothing: the Java list
 * stream notices the missing pings and follows the other coordinator within 2 × keep-alive (+ margin).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ListSilenceIT {

  private static final long KEEP_ALIVE_MS = 2_000;
  /** 2 × keep-alive of silence (the bound), then a reconnect and a snapshot: 1 s for those on a busy machine. */
  private static final long SWITCH_BOUND_MS = 2 * KEEP_ALIVE_MS + 1_000;

  @Test
  void aFrozenCoordinatorIsLeftWithinTwoKeepAlivesAndTheListFollowsTheOther() throws Exception {
    TestCluster cluster = TestCluster.unique();
    Vertx vertx = Vertx.vertx();
    // "a" starts first, so the Hazelcast master is not the one frozen
    try (TestCluster.Coordinator a = cluster.coordinator("silence-a", "--keep-alive-ms", String.valueOf(KEEP_ALIVE_MS));
         TestCluster.Coordinator b = cluster.coordinator("silence-b", "--keep-alive-ms", String.valueOf(KEEP_ALIVE_MS));
         TestCluster.BackendNode node = cluster.backendNode("silence-backend", 1)) {
      Context context = vertx.getOrCreateContext();
      BackendListStream list = on(context, () -> new BackendListStream(vertx, List.of(a.base(), b.base()), "chat", 1));
      try {
        on(context, list::open).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        String backend = node.ids().get(0);
        Http.await("the backend in the followed list", Duration.ofSeconds(20),
            () -> on(context, () -> list.backends().containsKey(backend)));
        Http.await("a ping announcing the keep-alive", Duration.ofSeconds(10),
            () -> on(context, list::keepAliveMs) == KEEP_ALIVE_MS);
        assertEquals(b.base(), on(context, list::coordinator));

        b.process().signal("STOP");
        try {
          long frozenAt = System.nanoTime();
          Http.await("the list following coordinator a", Duration.ofSeconds(30),
              () -> on(context, () -> list.streaming() && list.coordinator().equals(a.base())));
          long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);
          assertTrue(tookMs <= SWITCH_BOUND_MS, "left the frozen coordinator after " + tookMs + " ms, bound " + SWITCH_BOUND_MS);

          node.process().kill9(); // a change made after the freeze reaches the client through "a"
          Http.await("the killed backend gone from the list", Duration.ofSeconds(20),
              () -> !on(context, () -> list.backends().containsKey(backend)));
        } finally {
          b.process().signal("CONT");
        }
      } finally {
        on(context, list::close).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Runs {@code action} on the list's context, where the list must be used, and returns its result. */
  private static <T> T on(Context context, Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        result.complete(action.get());
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }
}
