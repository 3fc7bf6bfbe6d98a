package dev.switchboard.client;

import dev.switchboard.client.impl.ListFeed;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * The backend list of one service, followed over one stream and shared by any number of
 * {@link SwitchboardClient}s of this JVM (the browser client's {@code BackendList}, passed as its
 * {@code list} option, is the same idea). Create one per (Vert.x, coordinators, service) and give it
 * to each client ({@link SwitchboardClient#SwitchboardClient(Vertx, SwitchboardClientOptions, BackendList)}):
 * N clients then hold one list stream instead of N. Moving between coordinators (connect timeout,
 * silence rule, failure count and backoff) is the {@link BackendListStream}'s, unchanged.
 *
 * <p>It opens with its first subscriber (or {@link #open()}); a client that subscribes later hears the
 * current list at once, as a snapshot. Reports of unreachable backends from every client go through it,
 * so they are rate-limited per backend for the whole JVM. Its owner closes it: a client's
 * {@code close()} only unsubscribes that client. After {@link #close()} the clients keep the list as last
 * known and their connections, and hear no more changes (as while no coordinator answers); a client
 * that starts on a closed list fails to start. Thread-safe: the stream runs on the Vert.x context the
 * list was created on, and each client hears changes on its own context.
 */
public final class BackendList {

  private static final Logger log = LoggerFactory.getLogger(BackendList.class);

  /** Where the list is in its life. */
  private enum State {
    /** Not opened yet. */
    NEW,
    /** Opened; the first list has not arrived. */
    OPENING,
    /** A list has arrived: new subscribers get it at once. */
    OPEN,
    /** Closed by its owner: no more changes. */
    CLOSED
  }

  private final BackendListStream stream;
  /** Runs a task on the list's context; every field below is touched there only. */
  private final Executor context;
  private final Set<Subscriber> subscribers = new LinkedHashSet<>();
  private final Promise<Void> firstList = Promise.promise();
  private State state = State.NEW;
  private volatile int subscriberCount;

  /** A list running on {@code vertx.getOrCreateContext()} (a new event-loop context off Vert.x threads). */
  public BackendList(Vertx vertx, BackendListOptions options) {
    this(vertx, options, vertx.getOrCreateContext());
  }

  /** A list running on {@code context} (a client's own list runs on the client's context). */
  BackendList(Vertx vertx, BackendListOptions options, Context context) {
    this(new BackendListStream(vertx, options.getCoordinators(), options.getService(),
        BackendListStream.startIndex(options.getCoordinators(), options.getKey(), ThreadLocalRandom.current()::nextDouble),
        options.getConnectTimeoutMs(), options.httpOptions()), on(context));
  }

  BackendList(BackendListStream stream, Executor context) {
    this.stream = stream;
    this.context = context;
    stream.handler(this::publish);
  }

  /** Runs tasks on {@code context}: at once when already there. */
  static Executor on(Context context) {
    return task -> {
      if (Vertx.currentContext() == context) {
        task.run();
      } else {
        context.runOnContext(v -> task.run());
      }
    };
  }

  /** Starts following (idempotent; the first subscriber does it too); completes once the first list arrived. */
  public Future<Void> open() {
    context.execute(this::start);
    return firstList.future();
  }

  /**
   * Stops following, for every subscriber: they keep the list as last known and hear no more changes;
   * a subscriber still waiting for its first list fails to start. Idempotent.
   */
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    context.execute(() -> {
      if (state == State.CLOSED) {
        closed.complete();
        return;
      }
      state = State.CLOSED;
      log.debug("backend list closed with {} subscribers", subscribers.size());
      firstList.tryFail(closedError());
      subscribers.forEach(Subscriber::listClosed);
      subscribers.clear();
      subscriberCount = 0;
      stream.close().onComplete(closed);
    });
    return closed.future();
  }

  /** The list as last known, by id (any thread; an unmodifiable map later changes leave as it is). */
  public Map<String, BackendRecord> backends() {
    return stream.backends();
  }

  /** The base URL of the coordinator followed now, or tried next (any thread). */
  public String coordinator() {
    return stream.coordinator();
  }

  /** How many clients follow this list now. */
  public int subscribers() {
    return subscriberCount;
  }

  /** A client's view of this list; its changes run on {@code clientContext}. */
  ListFeed feed(Executor clientContext) {
    return new Subscriber(clientContext);
  }

  private static IllegalStateException closedError() {
    return new IllegalStateException("backend list closed");
  }

  private void start() {
    if (state == State.NEW) {
      state = State.OPENING;
      stream.open().onSuccess(v -> {
        if (state == State.OPENING) {
          state = State.OPEN;
          firstList.tryComplete();
        }
      });
    }
  }

  private void subscribe(Subscriber s) {
    if (state == State.CLOSED) {
      s.listClosed();
      return;
    }
    subscribers.add(s);
    subscriberCount = subscribers.size();
    if (state == State.OPEN) {
      Map<String, BackendRecord> now = stream.backends();
      s.deliver(new ListEvent.Snapshot(stream.lastEventId(), List.copyOf(now.values())), now);
    } else {
      start();
    }
  }

  private void unsubscribe(Subscriber s) {
    subscribers.remove(s);
    subscriberCount = subscribers.size();
  }

  private void publish(ListEvent change) {
    Map<String, BackendRecord> now = stream.backends();
    // a copy: a subscriber on this context hears the change inline and may unsubscribe while we iterate
    for (Subscriber s : subscribers.toArray(new Subscriber[0])) {
      s.deliver(change, now);
    }
  }

  /** Where one client stands: what its pool is told, on its own context. */
  private enum Subscription {
    /** Not opened yet. */
    NEW,
    /** Hearing changes. */
    SUBSCRIBED,
    /** Closed by the client: changes already on their way are dropped. */
    CLOSED
  }

  /** One client's {@link ListFeed}: the list's changes, handed over on the client's context. */
  private final class Subscriber implements ListFeed {

    private final Executor client;
    private final Promise<Void> opened = Promise.promise();
    private Consumer<ListEvent> handler = e -> { };
    private Subscription subscription = Subscription.NEW;
    /** The list as of the last change this client heard (read by the client from any thread). */
    private volatile Map<String, BackendRecord> backends = Map.of();

    Subscriber(Executor client) {
      this.client = client;
    }

    @Override
    public void handler(Consumer<ListEvent> handler) {
      this.handler = handler;
    }

    @Override
    public Future<Void> open() {
      if (subscription == Subscription.NEW) {
        subscription = Subscription.SUBSCRIBED;
        context.execute(() -> subscribe(this));
      }
      return opened.future();
    }

    @Override
    public Future<Void> close() {
      if (subscription != Subscription.CLOSED) {
        boolean wasSubscribed = subscription == Subscription.SUBSCRIBED;
        subscription = Subscription.CLOSED;
        opened.tryFail(new IllegalStateException("client closed"));
        if (wasSubscribed) {
          context.execute(() -> unsubscribe(this));
        }
      }
      return Future.succeededFuture();
    }

    @Override
    public Map<String, BackendRecord> backends() {
      return backends;
    }

    @Override
    public void report(String backendId, String reason) {
      context.execute(() -> {
        if (state != State.CLOSED) {
          stream.report(backendId, reason);
        }
      });
    }

    @Override
    public String coordinator() {
      return stream.coordinator();
    }

    /** Called on the list's context. */
    void deliver(ListEvent change, Map<String, BackendRecord> list) {
      client.execute(() -> {
        if (subscription == Subscription.SUBSCRIBED) {
          backends = list;
          handler.accept(change);
          opened.tryComplete();
        }
      });
    }

    /** Called on the list's context. */
    void listClosed() {
      client.execute(() -> opened.tryFail(closedError()));
    }
  }
}
