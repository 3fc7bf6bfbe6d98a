package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;

/**
 * A planned, make-before-break move from {@code from} to {@code to}, asked for by the backend:
 * {@code reason} is {@link MoveReason#DRAIN} or {@link MoveReason#REBALANCE}.
 */
public record Move(BackendRecord from, BackendRecord to, MoveReason reason) {
}
