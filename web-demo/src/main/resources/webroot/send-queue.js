// The sends waiting for an open connection, bounded: a full queue refuses, it never grows.

export class SendQueue {
  constructor(limit) {
    this.limit = limit;
    this.items = [];
  }

  get size() {
    return this.items.length;
  }

  /** Takes `text`; false when the queue is full. */
  offer(text) {
    if (this.items.length >= this.limit) return false;
    this.items.push(text);
    return true;
  }

  /** Sends the queued texts, oldest first, while `writable()` gives a connection. */
  flush(writable) {
    let c;
    while (this.items.length > 0 && (c = writable())) c.socket.send(this.items.shift());
  }

  clear() {
    this.items = [];
  }
}
