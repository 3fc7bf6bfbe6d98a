package dev.switchboard.bench.sim;

import java.util.Arrays;

/**
 * The simulator's pending events: a binary min-heap of packed longs, so a million clients' timers cost
 * eight bytes each and no objects. An event is (time in µs, kind, index); events at the same time run
 * by kind, then by index, so a run is deterministic.
 */
final class EventQueue {

  static final int INDEX_BITS = 22;
  static final int KIND_BITS = 4;
  /** The largest client or backend index an event can carry. */
  static final int MAX_INDEX = (1 << INDEX_BITS) - 1;

  private long[] heap = new long[1024];
  private int size;

  void push(long timeUs, int kind, int index) {
    if (timeUs < 0 || kind < 0 || kind >= 1 << KIND_BITS || index < 0 || index > MAX_INDEX) {
      throw new IllegalArgumentException("event out of range: t=" + timeUs + " µs, kind " + kind + ", index " + index);
    }
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    long key = timeUs << (KIND_BITS + INDEX_BITS) | (long) kind << INDEX_BITS | index;
    int i = size++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (heap[parent] <= key) {
        break;
      }
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = key;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The earliest event's packed key; read it with {@link #time}, {@link #kind}, {@link #index}. */
  long peek() {
    return heap[0];
  }

  long pop() {
    long top = heap[0];
    long last = heap[--size];
    int i = 0;
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      if (child + 1 < size && heap[child + 1] < heap[child]) {
        child++;
      }
      if (last <= heap[child]) {
        break;
      }
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }

  int size() {
    return size;
  }

  static long time(long key) {
    return key >>> (KIND_BITS + INDEX_BITS);
  }

  static int kind(long key) {
    return (int) (key >>> INDEX_BITS) & ((1 << KIND_BITS) - 1);
  }

  static int index(long key) {
    return (int) key & MAX_INDEX;
  }
}
