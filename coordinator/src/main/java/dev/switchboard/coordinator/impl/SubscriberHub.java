package dev.switchboard.coordinator.impl;

import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The open SSE streams of one coordinator. Every frame is encoded once and the same buffer written
 * to each subscriber; a subscriber whose queue is full is disconnected rather than slowing the rest.
 * Confined to the coordinator's event loop.
 */
final class SubscriberHub {

  private final int maxSubscribers;
  private final Set<Subscriber> subscribers = new LinkedHashSet<>();
  private long framesWritten;
  private long slowDisconnects;

  SubscriberHub(int maxSubscribers) {
    this.maxSubscribers = maxSubscribers;
  }

  boolean full() {
    return subscribers.size() >= maxSubscribers;
  }

  void add(Subscriber subscriber) {
    subscribers.add(subscriber);
  }

  void remove(Subscriber subscriber) {
    subscribers.remove(subscriber);
  }

  int size() {
    return subscribers.size();
  }

  long framesWritten() {
    return framesWritten;
  }

  long slowDisconnects() {
    return slowDisconnects;
  }

  /** Sends one change to every subscriber whose filter it matches. */
  void broadcast(ViewEvent event) {
    List<Subscriber> slow = null;
    for (Subscriber s : subscribers) {
      if (!event.matches(s.service())) {
        continue;
      }
      if (s.offer(event.frame())) {
        framesWritten++;
      } else {
        slow = slow == null ? new ArrayList<>() : slow;
        slow.add(s);
      }
    }
    dropAll(slow);
  }

  /** Sends a frame, such as a keep-alive comment, to everybody. */
  void broadcastAll(Buffer frame) {
    List<Subscriber> slow = null;
    for (Subscriber s : subscribers) {
      if (!s.offer(frame)) {
        slow = slow == null ? new ArrayList<>() : slow;
        slow.add(s);
      }
    }
    dropAll(slow);
  }

  /** Closes every stream, as when the coordinator stops. */
  void closeAll() {
    List<Subscriber> all = new ArrayList<>(subscribers);
    subscribers.clear();
    all.forEach(Subscriber::disconnect);
  }

  private void dropAll(List<Subscriber> slow) {
    if (slow == null) {
      return;
    }
    for (Subscriber s : slow) {
      subscribers.remove(s);
      slowDisconnects++;
      s.disconnect();
    }
  }
}
