package dev.switchboard.client.impl;

/** Time and one-shot timers for the client's state machines; a fake drives them in tests. */
public interface Clock {

  /** Milliseconds, as {@link System#currentTimeMillis()}. */
  long now();

  /** Runs {@code action} once after {@code delayMs} (at least 1), on the client's context; returns the timer's id. */
  long setTimer(long delayMs, Runnable action);

  /** Cancels a timer set by {@link #setTimer}; an unknown or fired id is ignored. */
  void cancelTimer(long id);
}
