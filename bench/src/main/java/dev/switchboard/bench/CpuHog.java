package dev.switchboard.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Load for the soak: {@code threads} busy threads for at most {@code seconds}, in a JVM of its own.
 * Bounded three ways: it exits at the deadline, when the bench JVM that started it exits, and when
 * the bench kills it (by pid) at the end of the soak.
 */
public final class CpuHog {

  private CpuHog() {
  }

  public static void main(String[] args) throws InterruptedException {
    int threads = Integer.parseInt(args[0]);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
    List<Thread> busy = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(() -> {
        long x = 1;
        while (System.nanoTime() < deadline) {
          for (int k = 0; k < 100_000; k++) {
            x = x * 6364136223846793005L + 1442695040888963407L; // busy work the JIT cannot drop (x is printed)
          }
        }
        System.out.println("cpu hog thread done " + (x & 1));
      }, "hog-" + i);
      t.start();
      busy.add(t);
    }
    System.out.printf("cpu hog: %d threads for %s s (pid %d)%n", threads, args[1], ProcessHandle.current().pid());
    for (Thread t : busy) {
      t.join();
    }
  }
}
