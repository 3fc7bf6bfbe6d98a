package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;

/** A heartbeat came back: {@code ms} from the ping sent to its pong read, on {@code backend}'s connection. */
public record Rtt(BackendRecord backend, double ms) {
}
