package dev.switchboard.cluster;

import org.junit.jupiter.api.Test;

import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@link HazelcastCompletions}: Hazelcast's async completions run on a pool, never a thread each. */
class HazelcastCompletionsTest {

  @Test
  void hazelcastCompletesOnAPoolWhateverTheCommonPoolsSizeAndOnlyOneIsMade() {
    HazelcastCompletions.ensurePool();
    assertInstanceOf(ForkJoinPool.class, HazelcastCompletions.current(),
        "common pool parallelism " + ForkJoinPool.getCommonPoolParallelism());
    Object first = HazelcastCompletions.current();
    HazelcastCompletions.ensurePool();
    assertSame(first, HazelcastCompletions.current());
  }
}
