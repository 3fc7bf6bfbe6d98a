package dev.switchboard.coordinator.impl;

/** What the cluster registry reported; applied to the view on the coordinator's event loop. */
sealed interface RegistryChange {

  /** An entry was written; {@code value} is the raw stored value, not yet validated. */
  record Put(String key, Object value) implements RegistryChange {
  }

  /** An entry left the registry map for {@code reason}. */
  record Removed(String key, String reason) implements RegistryChange {
  }

  /** A cluster member left; every record hosted by it is gone. */
  record NodeLeft(String nodeId) implements RegistryChange {
  }
}
