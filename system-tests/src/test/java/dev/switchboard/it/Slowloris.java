package dev.switchboard.it;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris sockets on one thread: each sends the start of a request head, then one header byte every
 * tick, and never ends the head. Returns how long each stayed open; -1 for one still open at the end.
 */
final class Slowloris {

  private static final byte[] HEAD = "GET /v1/backends HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);

  private Slowloris() {
  }

  /**
   * Opens {@code count} sockets to {@code port}, one every {@code staggerMs}, trickles on all every
   * {@code tickMs}, and stops when all are closed or after {@code maxMs}; closes every socket it opened.
   */
  static long[] run(int port, int count, long staggerMs, long tickMs, long maxMs) throws IOException, InterruptedException {
    List<Socket> sockets = new ArrayList<>();
    long[] openedAt = new long[count];
    long[] lifetimeMs = new long[count];
    java.util.Arrays.fill(lifetimeMs, -1);
    long start = System.nanoTime();
    long end = start + TimeUnit.MILLISECONDS.toNanos(maxMs);
    try {
      int open = 0;
      while (System.nanoTime() < end) {
        long tickStart = System.nanoTime();
        // open the sockets whose turn has come
        while (sockets.size() < count && tickStart - start >= TimeUnit.MILLISECONDS.toNanos(staggerMs * sockets.size())) {
          Socket s = new Socket("127.0.0.1", port);
          s.setSoTimeout(1);
          s.getOutputStream().write(HEAD);
          openedAt[sockets.size()] = System.nanoTime();
          sockets.add(s);
          open++;
        }
        for (int i = 0; i < sockets.size(); i++) {
          if (lifetimeMs[i] >= 0) {
            continue;
          }
          if (closedByPeer(sockets.get(i))) {
            lifetimeMs[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedAt[i]);
            open--;
          }
        }
        if (sockets.size() == count && open == 0) {
          break;
        }
        long sleep = tickMs - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - tickStart);
        if (sleep > 0) {
          Thread.sleep(sleep);
        }
      }
      return lifetimeMs;
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  /** Sends one more header byte; true when the peer has closed (end of stream, a reset, or any answer). */
  private static boolean closedByPeer(Socket s) throws IOException {
    try {
      s.getOutputStream().write('x');
      s.getOutputStream().flush();
      // end of stream, or an answer to the cut head (a 408, say) before the close: either ends the attack
      s.getInputStream().read();
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }
}
