package dev.switchboard.cluster;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommonPoolTest {

  private String saved;

  @BeforeEach
  void save() {
    saved = System.getProperty(CommonPool.PARALLELISM);
  }

  @AfterEach
  void restore() {
    if (saved == null) {
      System.clearProperty(CommonPool.PARALLELISM);
    } else {
      System.setProperty(CommonPool.PARALLELISM, saved);
    }
  }

  @Test
  void aJvmWithoutASettingGetsAtLeastTwoSoHazelcastCallbacksDoNotStartAThreadEach() {
    System.clearProperty(CommonPool.PARALLELISM);
    CommonPool.ensureParallelism();
    int set = Integer.parseInt(System.getProperty(CommonPool.PARALLELISM));
    assertTrue(set >= CommonPool.MIN_PARALLELISM, "parallelism " + set);
    assertEquals(Math.max(2, Runtime.getRuntime().availableProcessors() - 1), set);
  }

  @Test
  void aParallelismTheJvmWasGivenIsKept() {
    System.setProperty(CommonPool.PARALLELISM, "1");
    CommonPool.ensureParallelism();
    assertEquals("1", System.getProperty(CommonPool.PARALLELISM));
  }
}
