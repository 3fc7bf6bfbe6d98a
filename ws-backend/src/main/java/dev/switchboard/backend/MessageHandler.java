package dev.switchboard.backend;

import io.vertx.core.json.JsonObject;

/**
 * An application's own messages: called on the backend's event loop for every well-formed JSON frame
 * whose {@code type} Switchboard does not handle itself (ping, echo, join, leave, publish). Without one,
 * such frames get an {@code error} with code {@code unknown-type}.
 */
@FunctionalInterface
public interface MessageHandler {

  void handle(ClientConnection client, JsonObject message);
}
