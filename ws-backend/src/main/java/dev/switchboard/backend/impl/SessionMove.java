package dev.switchboard.backend.impl;

import dev.switchboard.model.DrainReason;
import dev.switchboard.model.WsMessage;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;

import java.util.function.Consumer;

/**
 * A connection's planned move, from the backend's side: the {@code drain} frame that asked the client
 * to leave (a drain or a rebalance), the close at the deadline if it is still here, and the client's
 * {@code stay} that keeps it after a rebalance it cannot follow. Confined to the
 * connection's event loop; its environment (timers, the socket) is passed in.
 */
public final class SessionMove {

  /** Timers of the connection's event loop. */
  public interface Timers {
    /** Runs {@code task} once after {@code delayMs}; returns the timer's id. */
    long set(long delayMs, Runnable task);

    void cancel(long id);
  }

  /** The socket, as far as a move needs it. */
  public interface Socket {
    void send(WsMessage.Drain frame);

    boolean isClosed();

    void close(short code, String reason);
  }

  private final Timers timers;
  private final Socket socket;
  private DrainReason reason;
  private long deadlineTimer = -1;
  private boolean closedAtDeadline;
  private boolean stayed;
  private long stayedAtNanos;
  private Runnable releaseHandler = () -> { };

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
   * Asks the client to move: sends {@code frame}, then closes the connection with 1001 at its deadline
   * if the client is still here. A connection is asked once, except that a drain replaces a rebalance
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
    reason = frame.reason();
    socket.send(frame);
    String why = frame.reason() == DrainReason.REBALANCE ? "backend rebalanced" : "backend drained";
    deadlineTimer = timers.set(Math.max(1, frame.deadlineMs()), () -> {
      deadlineTimer = -1;
      if (!socket.isClosed()) {
        closedAtDeadline = true;
        socket.close((short) 1001, why);
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
  }

  /**
   * Runs when this connection stops being a rebalance move in flight while it stays open: the client
   * answered {@code stay}, or a drain replaced the rebalance. (One that closes is the caller's to count.)
   */
  public SessionMove releaseHandler(Runnable handler) {
    this.releaseHandler = handler;
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

  /** Whether the client stayed after a rebalance asked it to move. */
  public boolean stayed() {
    return stayed;
  }

  /** Whether the client had not moved by the deadline and was closed: it reconnects from scratch, later. */
  public boolean closedAtDeadline() {
    return closedAtDeadline;
  }
}
