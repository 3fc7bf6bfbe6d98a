package dev.switchboard.client;

import dev.switchboard.client.impl.Listeners;
import dev.switchboard.client.impl.Pool;
import dev.switchboard.client.impl.ListFeed;
import dev.switchboard.client.impl.Tickets;
import dev.switchboard.client.impl.VertxClock;
import dev.switchboard.client.impl.VertxTransport;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Switchboard client on Vert.x. It follows the backend list (moving to another coordinator when
 * one fails), holds {@code connections} WebSockets to as many distinct backends chosen by policy,
 * heartbeats them and replaces any that fail, with jittered backoff and a bounded retry rate however
 * long nothing is reachable. A backend it cannot reach is reported to the coordinator.
 *
 * <p>Rooms and publishes use the pool's primary connection (the oldest open one); when it fails the
 * next open connection takes over at once, rejoining every room with {@code since} = the last seq
 * delivered and resending every unacked publish with its id, so the application neither loses nor
 * repeats a room message. A {@code drain} moves a connection make-before-break at a random moment
 * within half the deadline: the new connection is open, and its rooms joined, before the old one
 * closes. {@link #send} spreads over the open connections and queues (bounded) while none is open.
 * With a ticket option, every connection attempt asks for a ticket first and presents it as
 * {@code ?ticket=}. A join or publish fails on its {@code error} frame ({@link RequestException};
 * {@link ForbiddenException} for {@code forbidden}) or after {@code requestTimeoutMs}. Everything runs
 * on one Vert.x context; the methods may be called from any thread.
 *
 * <p>Each client follows the list over its own stream, unless it is given a {@link BackendList} shared
 * with other clients of the JVM (one stream for all of them: the way to hold thousands of clients).
 */
public final class SwitchboardClient {

  private final Context context;
  /** The list this client follows; closed with the client when it is its own ({@code owned}). */
  private final BackendList list;
  private final boolean owned;
  private final ListFeed feed;
  private final Listeners on = new Listeners();
  private final Pool pool;

  /** A client following the list of {@code options.coordinators} over a stream of its own. */
  public SwitchboardClient(Vertx vertx, SwitchboardClientOptions options) {
    this(vertx, options, vertx.getOrCreateContext(), null);
  }

  /**
   * A client following a shared {@code list}: the list's coordinators and service are followed, and
   * the list options of {@code options} ({@code coordinators}, {@code listConnectTimeoutMs}) are not
   * used. Closing the client leaves the list open for the others; closing the list leaves the client
   * on the list as last known (see {@link BackendList}).
   */
  public SwitchboardClient(Vertx vertx, SwitchboardClientOptions options, BackendList list) {
    this(vertx, options, vertx.getOrCreateContext(), Objects.requireNonNull(list, "list"));
  }

  private SwitchboardClient(Vertx vertx, SwitchboardClientOptions options, Context context, BackendList shared) {
    if (shared == null && options.getCoordinators().isEmpty()) {
      throw new IllegalArgumentException("options.coordinators must list at least one URL");
    }
    this.context = context;
    this.owned = shared == null;
    this.list = owned ? new BackendList(vertx, options.listOptions(), context) : shared;
    this.feed = list.feed(this::inContext);
    this.pool = new Pool(options, new VertxClock(vertx), new VertxTransport(vertx,
        options.applyTls(new WebSocketClientOptions().setMaxConnections(options.getConnections() * 2 + 2))),
        feed, () -> ThreadLocalRandom.current().nextDouble(), this::inContext, on);
  }

  /** Room messages ({@code {"type":"message",…}}, once each, in seq order per room) and application frames. */
  public SwitchboardClient messageHandler(Consumer<JsonObject> handler) {
    on.messages = handler;
    return this;
  }

  /** Called when a connection fails and leaves its backend, with the reason (planned moves go to {@link #moveHandler}). */
  public SwitchboardClient failoverHandler(Consumer<Failover> handler) {
    on.failovers = handler;
    return this;
  }

  /** Called when a backend asks this client to move ({@code drain} or {@code rebalance}) and the move starts. */
  public SwitchboardClient moveHandler(Consumer<Move> handler) {
    on.moves = handler;
    return this;
  }

  /** Called when the pool's {@link ClientState} changes. */
  public SwitchboardClient stateHandler(Consumer<ClientState> handler) {
    on.states = handler;
    return this;
  }

  /** Called with the whole list after every change. */
  public SwitchboardClient backendsHandler(Consumer<Collection<BackendRecord>> handler) {
    on.lists = handler;
    return this;
  }

  /** Called when a connection attempt to a backend starts (monitoring). */
  public SwitchboardClient connectHandler(Consumer<BackendRecord> handler) {
    on.attempts = handler;
    return this;
  }

  /** Called when a connection to a backend is open (welcomed). */
  public SwitchboardClient openHandler(Consumer<BackendRecord> handler) {
    on.opens = handler;
    return this;
  }

  /** Called when an open connection to a backend closed, for whatever reason. */
  public SwitchboardClient closeHandler(Consumer<BackendRecord> handler) {
    on.closes = handler;
    return this;
  }

  /** Called when a heartbeat's pong comes back, with its round-trip time (monitoring). */
  public SwitchboardClient rttHandler(Consumer<Rtt> handler) {
    on.rtts = handler;
    return this;
  }

  /** Follows the list and connects; completes once the first connection is open. */
  public Future<Void> start() {
    return onContext(pool::start);
  }

  /**
   * Joins a room; completes with the seq the room starts after for this client. Fails on the
   * backend's {@code error} for it, or after {@code requestTimeoutMs}; a failed join leaves the room.
   */
  public Future<Long> join(String room) {
    return onContext(() -> pool.join(room));
  }

  /**
   * Publishes; completes with the message's seq once the cluster stored it, after failovers if need
   * be (resent with the same id). Fails at once when {@code queueSize} publishes are unacked, on the
   * backend's {@code error} for it, or after {@code requestTimeoutMs}.
   */
  public Future<Long> publish(String room, Object data) {
    return onContext(() -> pool.publish(room, data));
  }

  /**
   * Sends an application message on an open connection (round-robin over the open ones; random for
   * {@code random} and {@code least-loaded}; the primary for {@code sticky}). While none is open, or
   * every open one's write queue is full, it waits in a queue of at most {@code queueSize} messages;
   * beyond that the future fails. Completes once written to a socket.
   */
  public Future<Void> send(JsonObject message) {
    String text = message.encode();
    return onContext(() -> pool.send(text));
  }

  /** The backend of the primary connection, or null. */
  public BackendRecord backend() {
    List<BackendRecord> now = pool.backends();
    return now.isEmpty() ? null : now.get(0);
  }

  /** The backends of the open connections, primary first. */
  public List<BackendRecord> backends() {
    return pool.backends();
  }

  public ClientState state() {
    return pool.state();
  }

  /** The base URL of the coordinator whose list is followed now. */
  public String coordinator() {
    return list.coordinator();
  }

  /** Connection attempts made so far (monitoring: the retry rate stays bounded while nothing is reachable). */
  public long connectAttempts() {
    return pool.connectAttempts();
  }

  /** The list as last known (stays while no coordinator answers). */
  public Collection<BackendRecord> knownBackends() {
    return List.copyOf(feed.backends().values());
  }

  /**
   * Closes every connection, and the list stream when it is the client's own (a shared list is only
   * left); unacked publishes, pending joins and queued sends fail.
   */
  public Future<Void> close() {
    return onContext(pool::close).eventually(() -> owned ? list.close() : Future.succeededFuture());
  }

  /** {@code url} with {@code ?ticket=} (URL-encoded) when there is a ticket. */
  static String withTicket(String url, String ticket) {
    return Tickets.withTicket(url, ticket);
  }

  /** Runs {@code action} on the client's context: at once when already there (a supplier may answer from anywhere). */
  private void inContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }
}
