package dev.switchboard.client.impl;

import io.vertx.core.Future;

/** Makes WebSockets to backends; a fake stands in for it in tests. */
public interface Transport {

  /** What a socket reports; called on the client's context. */
  interface Events {
    void onText(String text);

    /** The socket closed, with the peer's close code (null if none). */
    void onClose(Short code);

    /** The socket's write queue has room again. */
    void onDrain();
  }

  /** One WebSocket, made before it connects so that its events have somewhere to go from the first. */
  interface Socket {
    /**
     * Connects to {@code url}, giving up after {@code timeoutMs}. A failure with
     * {@link io.vertx.core.http.UpgradeRejectedException} means the backend answered but refused.
     */
    Future<Void> connect(String url, long timeoutMs);

    Future<Void> write(String text);

    boolean writeQueueFull();

    /** Closes the socket if it is open; never throws. */
    void close(short code, String reason);
  }

  /** A new, unconnected socket reporting to {@code events}. */
  Socket socket(Events events);

  /** Releases what the transport holds. */
  Future<Void> close();
}
