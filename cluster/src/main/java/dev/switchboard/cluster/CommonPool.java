package dev.switchboard.cluster;

import java.util.concurrent.ForkJoinPool;

/**
 * The JDK's common fork-join pool, which Hazelcast runs its async callbacks on. With fewer than three
 * cores its parallelism is 1, and then Hazelcast (its {@code ConcurrencyUtil.DEFAULT_ASYNC_EXECUTOR})
 * and {@code CompletableFuture} start a new thread for every callback: on 2 cores a backend under room
 * traffic started ~580 threads a second. Launchers raise the parallelism before anything uses the pool;
 * {@link HazelcastCompletions} gives Hazelcast a pool of its own where a library user did not.
 */
public final class CommonPool {

  public static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
  /** What Hazelcast and {@code CompletableFuture} need to use the pool instead of a thread per task. */
  static final int MIN_PARALLELISM = 2;

  private CommonPool() {
  }

  /**
   * Sets the common pool's parallelism to at least 2 unless the JVM was given one: call first in a
   * {@code main}, before any class reads it (it is fixed when {@link ForkJoinPool} initialises).
   */
  public static void ensureParallelism() {
    if (System.getProperty(PARALLELISM) == null) {
      int cores = Runtime.getRuntime().availableProcessors();
      System.setProperty(PARALLELISM, String.valueOf(Math.max(MIN_PARALLELISM, cores - 1)));
    }
  }
}
