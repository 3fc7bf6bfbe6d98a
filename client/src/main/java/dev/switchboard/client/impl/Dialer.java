package dev.switchboard.client.impl;

import dev.switchboard.client.MoveReason;
import io.vertx.core.http.UpgradeRejectedException;

import java.util.concurrent.Executor;

/**
 * Dials one connection: asks for a ticket (every attempt), then opens the WebSocket with
 * {@code ?ticket=} and, for a replacement, {@code ?moved=<reason>}; routes the socket's events to the
 * pool on the client's context.
 */
final class Dialer {

  private final Pool pool;
  private final Transport transport;
  private final Executor context;

  Dialer(Pool pool, Transport transport, Executor context) {
    this.pool = pool;
    this.transport = transport;
    this.context = context;
  }

  void dial(Connection c, MoveReason moved) {
    c.socket(transport.socket(new Transport.Events() {
      @Override
      public void onText(String text) {
        context.execute(() -> Frames.onFrame(pool, c, text));
      }

      @Override
      public void onClose(Short code) {
        context.execute(() -> pool.onClosed(c, code));
      }

      @Override
      public void onDrain() {
        context.execute(() -> pool.queue.flush(pool::writable));
      }
    }));
    Tickets.next(pool.options.getTicket()).onComplete(ticket -> context.execute(() -> {
      if (c.finished() || pool.closed()) {
        return;
      }
      if (ticket.failed()) {
        pool.attemptFailed(c, "no ticket: " + ticket.cause(), false);
        return;
      }
      c.dialed = true;
      String url = moved == null ? c.backend.url() : Tickets.withQuery(c.backend.url(), "moved", moved.code());
      c.socket().connect(Tickets.withTicket(url, ticket.result()), pool.options.getTimeoutMs()).onComplete(done -> context.execute(() -> {
        if (done.succeeded() && c.finished()) {
          c.close((short) 1000, "abandoned");
        } else if (done.failed() && !c.finished()) {
          // a refused upgrade (503 full or draining, 401 ticket, 403 origin) means the backend is
          // reachable; anything else is worth a report
          pool.attemptFailed(c, done.cause().toString(), !(done.cause() instanceof UpgradeRejectedException));
        }
      }));
    }));
  }
}
