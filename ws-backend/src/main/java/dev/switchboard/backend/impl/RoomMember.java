package dev.switchboard.backend.impl;

import dev.switchboard.model.WsMessage;

/** What a room needs of a connection: who it is and how to hand it a frame. */
public interface RoomMember {

  /** The session id, sent as {@code from} on what this member publishes. */
  String session();

  void send(WsMessage message);

  /** Hands it a frame already encoded (a room encodes a delivery once for all its members). */
  void sendEncoded(String frame);
}
