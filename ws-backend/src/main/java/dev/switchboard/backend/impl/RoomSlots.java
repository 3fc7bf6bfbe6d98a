package dev.switchboard.backend.impl;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The rooms one backend node uses, under a cap. A room takes a slot while any backend verticle of the
 * node has a member in it, and for the TTL after the node last used it (a join, a leave, a publish):
 * its ringbuffer lives that long too, so rooms a node joined and left, or only published to, count
 * until they can be destroyed. Also knows which rooms' activity the node must write to the cluster.
 * Thread-safe: the node's verticles share it from their own event loops.
 */
public final class RoomSlots {

  private static final class Slot {
    /** Verticles of this node with at least one member in the room. */
    int verticles;
    long lastUsedMs;
    /** When this node last wrote the room's cluster activity; 0: never. */
    long writtenMs;
  }

  private final int max;
  private final long ttlMs;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();

  /** @param clock epoch milliseconds */
  public RoomSlots(int max, long ttlMs, LongSupplier clock) {
    if (max <= 0 || ttlMs <= 0) {
      throw new IllegalArgumentException("max and ttlMs must be > 0, got " + max + ", " + ttlMs);
    }
    this.max = max;
    this.ttlMs = ttlMs;
    this.clock = clock;
  }

  /** A verticle opens the room for its first member: false when that would take the node past its cap. */
  public boolean open(String room) {
    return use(room, 1);
  }

  /** A verticle's last member of the room left. */
  public void close(String room) {
    long now = clock.getAsLong();
    slots.computeIfPresent(room, (k, slot) -> {
      slot.verticles = Math.max(0, slot.verticles - 1);
      slot.lastUsedMs = now;
      return slot;
    });
  }

  /** A publish through this node: false when the room is new here and the node is at its cap. */
  public boolean publish(String room) {
    return use(room, 0);
  }

  private boolean use(String room, int verticles) {
    long now = clock.getAsLong();
    boolean[] refused = {false};
    slots.compute(room, (k, slot) -> {
      if (slot == null) {
        if (size.incrementAndGet() > max) {
          size.decrementAndGet();
          refused[0] = true;
          return null;
        }
        slot = new Slot();
      }
      slot.verticles += verticles;
      slot.lastUsedMs = now;
      return slot;
    });
    return !refused[0];
  }

  /** Whether a verticle of this node has a member in the room. */
  public boolean inUse(String room) {
    Slot slot = slots.get(room);
    return slot != null && slot.verticles > 0;
  }

  /**
   * Whether this node must write the room's activity before it touches the room's ringbuffer: it wrote
   * none within half the TTL, so a sweep may be about to find the room idle.
   */
  public boolean stale(String room) {
    Slot slot = slots.get(room);
    return slot == null || clock.getAsLong() - slot.writtenMs > ttlMs / 2;
  }

  /** This node wrote the room's activity with the time {@code atMs}. */
  public void written(String room, long atMs) {
    slots.computeIfPresent(room, (k, slot) -> {
      slot.writtenMs = Math.max(slot.writtenMs, atMs);
      return slot;
    });
  }

  /**
   * The rooms whose activity this node should write now: those with members here, and those used since
   * the last write. Frees the slots of rooms unused here for the TTL.
   */
  public List<String> due() {
    long now = clock.getAsLong();
    List<String> due = new ArrayList<>();
    for (String room : slots.keySet()) {
      slots.computeIfPresent(room, (k, slot) -> {
        if (slot.verticles == 0 && now - slot.lastUsedMs >= ttlMs) {
          size.decrementAndGet();
          return null;
        }
        if (slot.verticles > 0 || slot.lastUsedMs > slot.writtenMs) {
          due.add(room);
        }
        return slot;
      });
    }
    return due;
  }

  /** Slots taken. */
  public int size() {
    return size.get();
  }

  public int max() {
    return max;
  }
}
