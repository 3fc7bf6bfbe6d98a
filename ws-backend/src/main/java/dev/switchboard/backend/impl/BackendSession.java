package dev.switchboard.backend.impl;

import dev.switchboard.model.ErrorCode;
import dev.switchboard.model.MessageDecodeException;
import dev.switchboard.model.WsCodec;
import dev.switchboard.model.WsMessage;
import io.vertx.core.http.ServerWebSocket;

/**
 * One client connection: greets it, answers heartbeats and echoes, and answers bad input with an
 * {@code error} frame while keeping the connection open. Reading pauses while the client does not
 * read its answers, so a flooding client cannot grow our write queue.
 */
public final class BackendSession {

  private final ServerWebSocket socket;
  private final String backendId;

  public BackendSession(ServerWebSocket socket, String backendId) {
    this.socket = socket;
    this.backendId = backendId;
  }

  public void start(String sessionId, long heartbeatMs) {
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(b -> send(new WsMessage.Error(ErrorCode.BAD_MESSAGE.wire(), "binary frames are not supported")));
    socket.drainHandler(v -> socket.resume());
    send(new WsMessage.Welcome(backendId, sessionId, heartbeatMs));
  }

  private void onText(String text) {
    WsMessage message;
    try {
      message = WsCodec.decode(text);
    } catch (MessageDecodeException e) {
      send(e.toFrame());
      return;
    }
    if (message instanceof WsMessage.Ping ping) {
      send(new WsMessage.Pong(ping.id(), backendId));
    } else if (message instanceof WsMessage.Echo echo) {
      send(echo);
    } else if (message instanceof WsMessage.Join || message instanceof WsMessage.Leave
        || message instanceof WsMessage.Publish) {
      send(new WsMessage.Error(ErrorCode.UNSUPPORTED.wire(), "rooms are not enabled on this backend"));
    } else {
      send(new WsMessage.Error(ErrorCode.UNKNOWN_TYPE.wire(), "'" + message.type() + "' is not sent by clients"));
    }
  }

  private void send(WsMessage message) {
    socket.writeTextMessage(WsCodec.encode(message));
    if (socket.writeQueueFull()) {
      socket.pause();
    }
  }
}
