package dev.switchboard.backend.impl;

import dev.switchboard.model.DrainReason;
import dev.switchboard.model.WsMessage;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;

import java.util.function.Consumer;

/**
 * A connection's planned move, from the backend's side: the {@code drain} frame that asked the client
 * to leave (a drain or a rebalance), what happens at the deadline if it is still here, and the client's
 * {@code stay} that keeps it after a rebalance it cannot follow. At a drain's deadline the connection is
 * closed (1001): the backend is leaving. A rebalance's deadline closes nothing: moving is an
 * improvement, not a must, and a client whose move is slow (its new backend busy with handshakes) would
 * otherwise lose its only connection mid-move and fail over, adding to the load that made it slow. The
 * move counts as in flight until it lands, or lapses {@link #LAPSE_AFTER_DEADLINES} deadlines after
 * it was asked; then the client is treated as one that stayed, though it may still finish. Confined to
 * the connection's event loop; its environment (timers, the socket) is passed in.
 */
public final class SessionMove {

  /** Timers and the clock of the connection's event loop. */
  public interface Timers {
    /** Runs {@code task} once after {@code delayMs}; returns the timer's id. */
    long set(long delayMs, Runnable task);

    void cancel(long id);

    /** Now, in {@link System#nanoTime()}'s terms. */
    long nanoTime();
  }

  /** The socket, as far as a move needs it. */
  public interface Socket {
    void send(WsMessage.Drain frame);

    boolean isClosed();

    void close(short code, String reason);
  }

  /**
   * A rebalance move still under way this many deadlines after it was asked lapses. Not at the deadline
   * itself: the client moves at a random moment within half of it, but on an overloaded machine its new
   * connection can take longer, and until the move lands or lapses it counts as in flight, so that no
   * later round asks more clients while late movers are still arriving (it overshot, and moved clients
   * twice, when it lapsed at the deadline).
   */
  public static final int LAPSE_AFTER_DEADLINES = 4;

  private final Timers timers;
  private final Socket socket;
  private DrainReason reason;
  private long deadlineTimer = -1;
  private boolean closedAtDeadline;
  private boolean stayed;
  private boolean lapsed;
  private long stayedAtNanos;
  private Runnable releaseHandler = () -> { };
  private Runnable lapseHandler = () -> { };
  private Consumer<WsMessage.Drain> stayHandler = frame -> { };
  private WsMessage.Drain frame;

  public SessionMove(Timers timers, Socket socket) {
    this.timers = timers;
    this.socket = socket;
  }

  /** The move of a WebSocket served by {@code vertx}; {@code send} writes a frame to it the session's way. */
  static SessionMove on(Vertx vertx, ServerWebSocket webSocket, Consumer<WsMessage.Drain> send) {
    return new SessionMove(new Timers() {
      @Override
      public long set(long delayMs, Runnable task) {
        return vertx.setTimer(delayMs, id -> task.run());
      }

      @Override
      public void cancel(long id) {
        vertx.cancelTimer(id);
      }

      @Override
      public long nanoTime() {
        return System.nanoTime();
      }
    }, new Socket() {
      @Override
      public void send(WsMessage.Drain frame) {
        send.accept(frame);
      }

      @Override
      public boolean isClosed() {
        return webSocket.isClosed();
      }

      @Override
      public void close(short code, String reason) {
        webSocket.close(code, reason);
      }
    });
  }

  /**
   * Asks the client to move: sends {@code frame}; if the client is still here at its deadline, a drain
   * closes the connection with 1001; a rebalance lapses {@link #LAPSE_AFTER_DEADLINES} deadlines after
   * it was asked (see the class comment). A connection is asked once, except that a drain replaces a rebalance
   * (the backend is leaving: the rebalance's deadline gives way to the drain's) and a client that stayed
   * may be asked again; any other later ask does nothing.
   */
  public void ask(WsMessage.Drain frame) {
    boolean rebalanceInFlight = reason == DrainReason.REBALANCE && !stayed;
    if (reason != null && !stayed && !(rebalanceInFlight && frame.reason() == DrainReason.DRAIN)) {
      return;
    }
    if (rebalanceInFlight) {
      timers.cancel(deadlineTimer);
      deadlineTimer = -1;
      releaseHandler.run();
    }
    stayed = false;
    lapsed = false;
    reason = frame.reason();
    this.frame = frame;
    socket.send(frame);
    boolean rebalance = frame.reason() == DrainReason.REBALANCE;
    long wait = Math.max(1, frame.deadlineMs()) * (rebalance ? LAPSE_AFTER_DEADLINES : 1);
    deadlineTimer = timers.set(wait, () -> {
      deadlineTimer = -1;
      if (socket.isClosed()) {
        return;
      }
      if (rebalance) {
        lapsed = true;
        stayed = true;
        stayedAtNanos = timers.nanoTime();
        lapseHandler.run();
      } else {
        closedAtDeadline = true;
        socket.close((short) 1001, "backend drained");
      }
    });
  }

  /**
   * The client cannot follow this connection's rebalance (its other connections hold every backend it
   * could go to): keeps the connection, cancels the deadline's close and tells the release handler.
   * Ignored unless a rebalance asked, the client has not stayed already and the deadline has not passed.
   */
  public void stay(long nowNanos) {
    if (reason != DrainReason.REBALANCE || stayed || deadlineTimer == -1) {
      return;
    }
    stayed = true;
    stayedAtNanos = nowNanos;
    timers.cancel(deadlineTimer);
    deadlineTimer = -1;
    releaseHandler.run();
    stayHandler.accept(frame);
  }

  /**
   * Runs, after the release handler, when the client answered {@code stay}, with the rebalance frame it
   * could not follow: the backend may ask another client in its place.
   */
  public SessionMove stayHandler(Consumer<WsMessage.Drain> handler) {
    this.stayHandler = handler;
    return this;
  }

  /**
   * Runs when this connection stops being a rebalance move in flight while it stays open: the client
   * answered {@code stay}, or a drain replaced the rebalance. (One that closes is the caller's to count.)
   */
  public SessionMove releaseHandler(Runnable handler) {
    this.releaseHandler = handler;
    return this;
  }

  /**
   * Runs when this connection's rebalance lapses at the deadline with the client still here: it is no
   * longer counted as on its way, though it may still arrive late.
   */
  public SessionMove lapseHandler(Runnable handler) {
    this.lapseHandler = handler;
    return this;
  }

  /** Whether a rebalance may ask this client now: never asked, or it stayed at least {@code holdDownNanos} ago. */
  public boolean askable(long nowNanos, long holdDownNanos) {
    return reason == null || (stayed && nowNanos - stayedAtNanos >= holdDownNanos);
  }

  /** Whether the client was asked to move already. */
  public boolean asked() {
    return reason != null;
  }

  /** Why the client was asked to move, or null when it was not. */
  public DrainReason reason() {
    return reason;
  }

  /** Whether the client's rebalance lapsed at its deadline (it then counts as one that stayed). */
  public boolean lapsed() {
    return lapsed;
  }

  /** Whether the client stayed after a rebalance asked it to move, or its rebalance lapsed. */
  public boolean stayed() {
    return stayed;
  }

  /** Whether the client had not left by a drain's deadline and was closed: it reconnects from scratch, later. */
  public boolean closedAtDeadline() {
    return closedAtDeadline;
  }
}
