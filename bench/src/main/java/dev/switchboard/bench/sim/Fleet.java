package dev.switchboard.bench.sim;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;

import java.util.AbstractSequentialList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.ListIterator;
import java.util.NoSuchElementException;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The backends as they truly are: alive or not, their live counts, and each one's clients in the order
 * they connected (oldest first, as a backend's session map holds them). The lists are intrusive, two
 * ints per client, so a million clients cost 8 MB here.
 */
final class Fleet {

  static final String SERVICE = BackendRecord.DEFAULT_SERVICE;
  static final int NONE = -1;

  final int size;
  final boolean[] alive;
  final int[] connections;
  final int[] capacity;
  final int[] weight;
  final int[] arrivals;
  private final String[] ids;
  private final int[] idOrder;
  private final String[] urls;
  private final int[] head;
  private final int[] tail;
  private final int[] prev;
  private final int[] next;
  private final IntConsumer countChanged;

  /** {@code countChanged} hears of every change of a live backend's count (its load report). */
  Fleet(int backends, int clients, int capacity, int weight, IntConsumer countChanged) {
    this.size = backends;
    this.countChanged = countChanged;
    this.alive = new boolean[backends];
    this.connections = new int[backends];
    this.capacity = new int[backends];
    this.weight = new int[backends];
    this.arrivals = new int[backends];
    this.ids = new String[backends];
    this.urls = new String[backends];
    this.head = new int[backends];
    this.tail = new int[backends];
    this.prev = new int[clients];
    this.next = new int[clients];
    Arrays.fill(this.capacity, capacity);
    Arrays.fill(this.weight, weight);
    Arrays.fill(head, NONE);
    Arrays.fill(tail, NONE);
    for (int b = 0; b < backends; b++) {
      // as BackendVerticle names them: 8 characters of a random node id, "-", the index on the node; so
      // id order (the policies' candidate order) interleaves the backends of a scale-out with the old ones
      ids[b] = String.format("%08x-0", mix(b + 1));
      urls[b] = "ws://" + ids[b] + ".sim:9000/ws";
    }
    idOrder = IntStream.range(0, backends).boxed()
        .sorted(Comparator.comparing(b -> ids[b])).mapToInt(Integer::intValue).toArray();
  }

  /** murmur3's fmix32: a fixed, well-scattered stand-in for a random node id. */
  private static int mix(int h) {
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  /** The backend indexes in id order. */
  int[] idOrder() {
    return idOrder;
  }

  String id(int b) {
    return ids[b];
  }

  /**
   * A record as the coordinators would list it. {@code startedAt} carries the simulator's backend index
   * (no policy, hint or plan reads it), so the glue finds a record's backend without a map lookup.
   */
  BackendRecord record(int b, int connections) {
    return new BackendRecord(ids[b], SERVICE, urls[b], ids[b], BackendRecord.DEFAULT_ZONE, BackendState.UP,
        connections, capacity[b], weight[b], b);
  }

  static int index(BackendRecord r) {
    return (int) r.startedAt();
  }

  /** Whether backend {@code b} opens a new connection now: alive, UP and not full (else 503 or refused). */
  boolean accepts(int b) {
    return alive[b] && connections[b] < capacity[b];
  }

  void attach(int b, int client) {
    prev[client] = tail[b];
    next[client] = NONE;
    if (tail[b] == NONE) {
      head[b] = client;
    } else {
      next[tail[b]] = client;
    }
    tail[b] = client;
    connections[b]++;
  }

  /** Client {@code client} connected to {@code b}. */
  void arrive(int b, int client) {
    attach(b, client);
    arrivals[b]++;
    countChanged.accept(b);
  }

  /** Places a client without an arrival or a load report (the fleet's state before the event). */
  void place(int b, int client) {
    attach(b, client);
  }

  void detach(int b, int client) {
    if (!alive[b]) {
      return; // a dead backend's list was dropped whole
    }
    int p = prev[client];
    int n = next[client];
    if (p == NONE) {
      head[b] = n;
    } else {
      next[p] = n;
    }
    if (n == NONE) {
      tail[b] = p;
    } else {
      prev[n] = p;
    }
    connections[b]--;
    countChanged.accept(b);
  }

  /** Kills {@code b}: returns its clients, oldest first, and forgets them. */
  int[] kill(int b) {
    int[] clients = new int[connections[b]];
    int i = 0;
    for (int c = head[b]; c != NONE; c = next[c]) {
      clients[i++] = c;
    }
    alive[b] = false;
    head[b] = NONE;
    tail[b] = NONE;
    connections[b] = 0;
    return clients;
  }

  /** Backend {@code b}'s clients, oldest first, as a list view (walked by the real ShedPicker). */
  List<Integer> oldestFirst(int b) {
    int count = connections[b];
    return new AbstractSequentialList<>() {
      @Override
      public int size() {
        return count;
      }

      @Override
      public ListIterator<Integer> listIterator(int index) {
        if (index != 0) {
          throw new UnsupportedOperationException("walked from the oldest only");
        }
        return new ListIterator<>() {
          private int at = head[b];
          private int seen;

          @Override
          public boolean hasNext() {
            return at != NONE;
          }

          @Override
          public Integer next() {
            if (at == NONE) {
              throw new NoSuchElementException();
            }
            int c = at;
            at = Fleet.this.next[c];
            seen++;
            return c;
          }

          @Override
          public boolean hasPrevious() {
            return false;
          }

          @Override
          public Integer previous() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int nextIndex() {
            return seen;
          }

          @Override
          public int previousIndex() {
            return seen - 1;
          }

          @Override
          public void remove() {
            throw new UnsupportedOperationException();
          }

          @Override
          public void set(Integer e) {
            throw new UnsupportedOperationException();
          }

          @Override
          public void add(Integer e) {
            throw new UnsupportedOperationException();
          }
        };
      }
    };
  }

  /** Connections to live backends. */
  long connectedAlive() {
    long total = 0;
    for (int b = 0; b < alive.length; b++) {
      total += alive[b] ? connections[b] : 0;
    }
    return total;
  }

  /** The largest live backend's connections over its weighted fair share; 0 while none is connected. */
  double worstOverShare() {
    long total = 0;
    long weights = 0;
    for (int b = 0; b < alive.length; b++) {
      if (alive[b]) {
        total += connections[b];
        weights += weight[b];
      }
    }
    double worst = 0;
    for (int b = 0; b < alive.length; b++) {
      if (alive[b] && total > 0) {
        worst = Math.max(worst, connections[b] / ((double) total * weight[b] / weights));
      }
    }
    return worst;
  }
}
