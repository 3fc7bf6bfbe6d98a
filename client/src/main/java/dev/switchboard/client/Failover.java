package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;

/**
 * A connection moved off a backend: {@code reason} is {@code drain}, {@code backend left the list},
 * {@code heartbeat timeout} or {@code connection closed (code)}.
 */
public record Failover(BackendRecord from, String reason) {
}
