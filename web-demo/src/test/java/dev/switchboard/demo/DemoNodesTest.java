package dev.switchboard.demo;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node cap counts nodes still starting: parallel starts never launch more than {@link DemoNodes#MAX_NODES}. */
class DemoNodesTest {

  private final AtomicInteger spawned = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private final ExecutorService pool = Executors.newFixedThreadPool(6);
  /** Each "node" is a sleeping process; spawning blocks until released, like a JVM that takes its time. */
  private final DemoNodes nodes = new DemoNodes(() -> {
    spawned.incrementAndGet();
    Process process = new ProcessBuilder("sleep", "60").start();
    if (!release.await(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("never released");
    }
    return new DemoNodes.Node(process, "node-" + process.pid());
  });

  @AfterEach
  void close() {
    release.countDown();
    pool.shutdownNow();
    nodes.killAll();
  }

  @Test
  void sixParallelStartsLaunchFourAndRefuseTwo() throws Exception {
    List<Future<?>> starts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      starts.add(pool.submit(nodes::start));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int refused = 0;
    for (Future<?> f : starts) { // the two refusals come back while four are still starting
      try {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        continue;
      } catch (ExecutionException e) {
        assertInstanceOf(DemoNodes.CapReachedException.class, e.getCause());
        refused++;
      }
      if (refused == 2) {
        break;
      }
    }
    assertEquals(2, refused);
    assertEquals(4, spawned.get(), "launched while the others were still starting");
    release.countDown();
    int started = 0;
    for (Future<?> f : starts) {
      try {
        f.get(10, TimeUnit.SECONDS);
        started++;
      } catch (ExecutionException e) {
        assertInstanceOf(DemoNodes.CapReachedException.class, e.getCause());
      }
    }
    assertEquals(4, started);
    assertEquals(4, nodes.list().size());
    assertEquals(4, spawned.get());
  }

  @Test
  void aKilledOrFailedNodeFreesItsSlot() throws Exception {
    release.countDown();
    List<Long> pids = new ArrayList<>();
    for (int i = 0; i < DemoNodes.MAX_NODES; i++) {
      pids.add(nodes.start().getLong("pid"));
    }
    assertThrows(DemoNodes.CapReachedException.class, nodes::start);
    assertTrue(nodes.kill(pids.get(0)));
    nodes.start();
    ProcessHandle.of(pids.get(1)).ifPresent(ProcessHandle::destroyForcibly); // a node that died by itself
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (nodes.list().size() == DemoNodes.MAX_NODES && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    nodes.start();
    assertEquals(DemoNodes.MAX_NODES, nodes.list().size());
    assertEquals(DemoNodes.MAX_NODES + 2, spawned.get());
  }

  @Test
  void aSpawnThatFailsFreesItsSlot() throws Exception {
    DemoNodes failing = new DemoNodes(() -> {
      throw new IllegalStateException("no JVM today");
    });
    for (int i = 0; i < 10; i++) {
      assertEquals("no JVM today", assertThrows(IllegalStateException.class, failing::start).getMessage(), "not the cap: no slot leaked");
    }
    assertEquals(0, failing.list().size());
  }
}
