package dev.switchboard.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JDK's common fork-join pool, which Hazelcast runs its async callbacks on. With fewer than three
 * cores its parallelism is 1, and then Hazelcast (its {@code ConcurrencyUtil.DEFAULT_ASYNC_EXECUTOR})
 * and {@code CompletableFuture} start a new thread for every callback: on 2 cores a backend under room
 * traffic started ~580 threads a second. Launchers raise the parallelism before anything uses the pool.
 */
public final class CommonPool {

  public static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
  /** What Hazelcast and {@code CompletableFuture} need to use the pool instead of a thread per task. */
  static final int MIN_PARALLELISM = 2;

  private static final AtomicBoolean WARNED = new AtomicBoolean();

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

  /** Logs once that async callbacks will each start a thread, when the pool is too small (embedders). */
  static void warnIfThreadPerTask(Logger log) {
    if (ForkJoinPool.getCommonPoolParallelism() < MIN_PARALLELISM && WARNED.compareAndSet(false, true)) {
      log.warn("the common fork-join pool has parallelism {} (fewer than 3 cores): Hazelcast then starts a thread"
          + " for every async callback; start the JVM with -D{}={} (the switchboard launchers do)",
          ForkJoinPool.getCommonPoolParallelism(), PARALLELISM, MIN_PARALLELISM);
    }
  }
}
