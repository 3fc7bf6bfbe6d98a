package dev.switchboard.client.impl;

import java.util.Map;
import java.util.TreeMap;

/** A {@link Clock} that moves only when told: {@link #advance} fires due timers in time order. */
final class FakeClock implements Clock {

  private record Key(long due, long id) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      return due != o.due ? Long.compare(due, o.due) : Long.compare(id, o.id);
    }
  }

  private final TreeMap<Key, Runnable> timers = new TreeMap<>();
  private long now = 1_000_000;
  private long nextId;

  @Override
  public long now() {
    return now;
  }

  @Override
  public long setTimer(long delayMs, Runnable action) {
    long id = nextId++;
    timers.put(new Key(now + Math.max(1, delayMs), id), action);
    return id;
  }

  @Override
  public void cancelTimer(long id) {
    timers.keySet().removeIf(k -> k.id() == id);
  }

  /** Moves time forward by {@code ms}, firing every timer due on the way (and those they set). */
  void advance(long ms) {
    long end = now + ms;
    while (!timers.isEmpty() && timers.firstKey().due() <= end) {
      Map.Entry<Key, Runnable> next = timers.pollFirstEntry();
      now = Math.max(now, next.getKey().due());
      next.getValue().run();
    }
    now = Math.max(now, end);
  }

  /**
   * The process stands still for {@code ms}: time moves and no timer fires; the next {@link #advance}
   * fires those that fell due meanwhile, late.
   */
  void stall(long ms) {
    now += ms;
  }

  /** Timers set and not yet fired or cancelled. */
  int pending() {
    return timers.size();
  }
}
