package dev.switchboard.cluster;

import com.hazelcast.internal.util.ConcurrencyUtil;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Where Hazelcast completes the futures of its asynchronous map calls ({@code IMap.setAsync},
 * {@code submitToKey}, …: their results are deserialized on its default async executor). Hazelcast 5.6
 * uses the JDK's common pool when its parallelism is above 1, and otherwise starts a <em>new thread per
 * completion</em> — which it is on a machine with two cores or fewer. Measured on such a machine: an
 * {@code IMap.setAsync} took 300–800 µs that way and 25–90 µs on a pool. So on those machines the nodes
 * give Hazelcast a small pool of their own (checked against {@code ConcurrencyUtil} in 5.6.0).
 */
public final class HazelcastCompletions {

  /** Threads of the pool given to Hazelcast when the common pool has a single one. */
  static final int THREADS = 2;

  private HazelcastCompletions() {
  }

  /** Gives Hazelcast a pool for its completions if it would start a thread per completion; idempotent. */
  public static synchronized void ensurePool() {
    if (ForkJoinPool.getCommonPoolParallelism() <= 1 && !(ConcurrencyUtil.getDefaultAsyncExecutor() instanceof ForkJoinPool)) {
      ConcurrencyUtil.setDefaultAsyncExecutor(new ForkJoinPool(THREADS));
    }
  }

  /** The executor Hazelcast completes its asynchronous map calls on (for tests). */
  static Executor current() {
    return ConcurrencyUtil.getDefaultAsyncExecutor();
  }
}
