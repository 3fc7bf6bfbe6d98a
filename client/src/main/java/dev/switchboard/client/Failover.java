package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;

/**
 * A connection failed and left {@code from}: {@code reason} is {@link MoveReason#REMOVED},
 * {@link MoveReason#CLOSED} or {@link MoveReason#HEARTBEAT_TIMEOUT}; {@code detail} is for people
 * (e.g. the close code). Planned moves are {@link Move}s.
 */
public record Failover(BackendRecord from, MoveReason reason, String detail) {
}
