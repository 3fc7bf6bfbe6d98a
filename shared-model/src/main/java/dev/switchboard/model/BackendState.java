package dev.switchboard.model;

/** Lifecycle state of a backend as published in its record. */
public enum BackendState {
  /** Accepting new connections. */
  UP,
  /** Leaving: keeps its connections for a while but must not be chosen for new ones. */
  DRAINING
}
