package dev.switchboard.client;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.RemoveReason;

import java.util.List;

/** A change of the backend list as received from a coordinator's stream. */
public sealed interface ListEvent {

  /** The SSE id of the event. */
  String eventId();

  /** The whole list; replaces what was known. */
  record Snapshot(String eventId, List<BackendRecord> backends) implements ListEvent {
  }

  /** A backend appeared or changed. */
  record Upsert(String eventId, BackendRecord backend) implements ListEvent {
  }

  /** A backend left the list, for {@code reason} (deregistered, expired, node-left, unreachable, …). */
  record Remove(String eventId, String id, String reason) implements ListEvent {

    /** The reason as a code; one this client does not know is {@link RemoveReason#OTHER}. */
    public RemoveReason removeReason() {
      return RemoveReason.fromWire(reason);
    }
  }
}
