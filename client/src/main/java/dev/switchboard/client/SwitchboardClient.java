package dev.switchboard.client;

import dev.switchboard.client.policy.Policy;
import dev.switchboard.client.policy.Selector;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A Switchboard client on Vert.x: follows a coordinator's backend list, keeps one WebSocket to a
 * backend chosen by policy, heartbeats it, and fails over with jittered backoff. Rooms are rejoined
 * with {@code since} = the last seq seen and unacked publishes are resent with their id after a
 * failover, so the application neither loses nor repeats a room message. A {@code drain} is handled
 * make-before-break, at a random moment within half the deadline, so a drained backend causes no
 * stampede. Everything runs on one Vert.x context; the methods may be called from any thread.
 *
 * <p>Not yet: a pool of several connections, several coordinators, client reports, state events.
 */
public final class SwitchboardClient {

  private static final Logger log = LoggerFactory.getLogger(SwitchboardClient.class);

  private record Pending(String room, Object data, Promise<Long> acked) {
  }

  private static final class Connection {
    final BackendRecord backend;
    final WebSocket socket;
    boolean ready;
    long pingId;
    long pingSentAt = -1;

    Connection(BackendRecord backend, WebSocket socket) {
      this.backend = backend;
      this.socket = socket;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final SwitchboardClientOptions options;
  private final Policy policy;
  private final WebSocketClient sockets;
  private final BackendListStream list;
  private final Map<String, Long> rooms = new LinkedHashMap<>();
  private final Map<String, Promise<Long>> joins = new LinkedHashMap<>();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private Selector selector = key -> null;
  private Consumer<JsonObject> messages = m -> { };
  private Consumer<String> failovers = r -> { };
  private Connection current;
  private Connection moving;
  private Promise<Void> firstOpen = Promise.promise();
  private int attempt;
  private boolean connecting;
  private boolean closed;
  private long heartbeatTimer = -1;

  public SwitchboardClient(Vertx vertx, SwitchboardClientOptions options) {
    if (options.getCoordinators().isEmpty()) {
      throw new IllegalArgumentException("options.coordinators must list at least one URL");
    }
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.options = new SwitchboardClientOptions(options);
    this.policy = Policy.of(options.getPolicy());
    this.sockets = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(4));
    this.list = new BackendListStream(vertx, options.getCoordinators().get(0), options.getService());
  }

  /** Room messages ({@code {"type":"message",…}}), each delivered once, in seq order per room. */
  public SwitchboardClient messageHandler(Consumer<JsonObject> handler) {
    this.messages = handler;
    return this;
  }

  /** Called with the reason of every failover or move. */
  public SwitchboardClient failoverHandler(Consumer<String> handler) {
    this.failovers = handler;
    return this;
  }

  /** Follows the list and connects; completes once the first connection is open. */
  public Future<Void> start() {
    return onContext(() -> {
      list.handler(e -> onList());
      heartbeatTimer = vertx.setPeriodic(options.getIntervalMs(), id -> heartbeat());
      return list.open().compose(v -> firstOpen.future());
    });
  }

  /** Joins a room; completes with the seq the room starts after for this client. */
  public Future<Long> join(String room) {
    return onContext(() -> {
      Promise<Long> joined = Promise.promise();
      joins.put(room, joined);
      rooms.putIfAbsent(room, null);
      if (current != null && current.ready) {
        sendJoin(current, room);
      }
      return joined.future();
    });
  }

  /** Publishes; completes with the message's seq once the cluster stored it. Resent after failover. */
  public Future<Long> publish(String room, Object data) {
    return onContext(() -> {
      String id = UUID.randomUUID().toString();
      Pending p = new Pending(room, data, Promise.promise());
      pending.put(id, p);
      if (current != null && current.ready) {
        sendPublish(current, id, p);
      }
      return p.acked().future();
    });
  }

  /** The backend of the open connection, or null. */
  public BackendRecord backend() {
    Connection c = current;
    return c == null ? null : c.backend;
  }

  public Future<Void> close() {
    return onContext(() -> {
      closed = true;
      vertx.cancelTimer(heartbeatTimer);
      if (current != null) {
        current.socket.close();
      }
      return list.close().eventually(sockets::close);
    });
  }

  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  private void onList() {
    selector = policy.selector(new ArrayList<>(list.backends().values()), ThreadLocalRandom.current()::nextDouble);
    if (current != null) {
      BackendRecord now = list.backends().get(current.backend.id());
      if (now == null) {
        failover("backend left the list");
      }
    } else if (!connecting) {
      connect();
    }
  }

  private void connect() {
    if (closed || connecting || current != null) {
      return;
    }
    BackendRecord backend = selector.pick(options.getKey());
    if (backend == null) {
      return; // the next list change tries again
    }
    connecting = true; // until its welcome, or until it fails
    open(backend).onFailure(e -> {
      connecting = false;
      log.debug("cannot connect to {}: {}", backend.id(), e.toString());
      retryLater();
    });
  }

  /** Opens a connection; it becomes current once the backend's welcome arrives. */
  private Future<Connection> open(BackendRecord backend) {
    return sockets.connect(new WebSocketConnectOptions().setAbsoluteURI(backend.url())).map(ws -> {
      Connection c = new Connection(backend, ws);
      ws.textMessageHandler(text -> onFrame(c, text));
      ws.closeHandler(v -> onClosed(c));
      return c;
    });
  }

  private void onFrame(Connection c, String text) {
    JsonObject m;
    try {
      m = new JsonObject(text);
    } catch (DecodeException e) {
      log.warn("ignoring a malformed frame from {}", c.backend.id());
      return;
    }
    switch (String.valueOf(m.getValue("type"))) {
      case "welcome" -> onWelcome(c);
      case "pong" -> c.pingSentAt = -1;
      case "joined" -> {
        String room = m.getString("room");
        Long seq = m.getLong("seq");
        if (room != null && seq != null) {
          rooms.merge(room, seq, (old, now) -> old == null ? now : Math.max(old, now));
          Promise<Long> p = joins.remove(room);
          if (p != null) {
            p.tryComplete(seq);
          }
        }
      }
      case "message" -> onMessage(m);
      case "ack" -> {
        Pending p = pending.remove(String.valueOf(m.getValue("id")));
        if (p != null) {
          p.acked().tryComplete(m.getLong("seq"));
        }
      }
      case "drain" -> {
        if (c == current) {
          long deadline = m.getLong("deadlineMs", 0L);
          vertx.setTimer(Math.max(1, (long) (ThreadLocalRandom.current().nextDouble() * deadline / 2)), id -> moveAway(c));
        }
      }
      case "error" -> log.debug("backend {} said: {}", c.backend.id(), m.encode());
      default -> log.debug("ignoring '{}' from {}", m.getValue("type"), c.backend.id());
    }
  }

  private void onWelcome(Connection c) {
    c.ready = true;
    if (c != moving) {
      connecting = false;
    }
    if (current != null && current != c) {
      // make-before-break: the new connection is ready, the old one goes
      Connection old = current;
      current = c;
      resume(c);
      old.socket.close();
    } else {
      current = c;
      resume(c);
    }
    moving = null;
    attempt = 0;
    firstOpen.tryComplete();
  }

  /** Rejoins every room from the last seq seen and resends every unacked publish with its id. */
  private void resume(Connection c) {
    rooms.keySet().forEach(room -> sendJoin(c, room));
    pending.forEach((id, p) -> sendPublish(c, id, p));
  }

  private void onMessage(JsonObject m) {
    String room = m.getString("room");
    Long seq = m.getLong("seq");
    if (room == null || seq == null || !rooms.containsKey(room)) {
      return;
    }
    Long last = rooms.get(room);
    if (last != null && seq <= last) {
      return; // already delivered (a replay after failover, or the old connection of a move)
    }
    rooms.put(room, seq);
    messages.accept(m);
  }

  private void onClosed(Connection c) {
    if (c == moving) {
      moving = null;
      return;
    }
    if (!c.ready && c != current) {
      connecting = false; // closed before its welcome
      retryLater();
      return;
    }
    if (c == current) {
      current = null;
      failover("connection closed");
    }
  }

  private void moveAway(Connection from) {
    if (closed || from != current || moving != null) {
      return;
    }
    failovers.accept("drain");
    BackendRecord target = null;
    for (int i = 0; i < 5 && (target == null || target.id().equals(from.backend.id())); i++) {
      target = selector.pick(options.getKey() == null ? null : options.getKey() + "#" + i);
    }
    if (target == null || target.id().equals(from.backend.id())) {
      return; // nowhere else to go yet: the backend closes us at its deadline and we fail over then
    }
    open(target).onSuccess(c -> moving = c);
  }

  private void failover(String reason) {
    failovers.accept(reason);
    Connection c = current;
    current = null;
    if (c != null) {
      c.socket.close();
    }
    retryLater();
  }

  private void retryLater() {
    if (closed) {
      return;
    }
    long delay = Backoff.delayMs(attempt++, options.getBaseMs(), options.getMaxMs(), ThreadLocalRandom.current()::nextDouble);
    vertx.setTimer(Math.max(1, delay), id -> connect());
  }

  private void heartbeat() {
    Connection c = current;
    if (c == null || !c.ready) {
      return;
    }
    long now = System.currentTimeMillis();
    if (c.pingSentAt >= 0 && now - c.pingSentAt > options.getTimeoutMs()) {
      failover("heartbeat timeout");
      return;
    }
    if (c.pingSentAt < 0) {
      c.pingSentAt = now;
      c.socket.writeTextMessage(new JsonObject().put("type", "ping").put("id", ++c.pingId).encode());
    }
  }

  private void sendJoin(Connection c, String room) {
    JsonObject join = new JsonObject().put("type", "join").put("room", room);
    Long since = rooms.get(room);
    c.socket.writeTextMessage((since == null ? join : join.put("since", since)).encode());
  }

  private void sendPublish(Connection c, String id, Pending p) {
    c.socket.writeTextMessage(new JsonObject().put("type", "publish").put("room", p.room()).put("id", id)
        .put("data", p.data()).encode());
  }

  /** Unacked publishes right now (for tests and metrics). */
  List<String> pendingIds() {
    return List.copyOf(pending.keySet());
  }
}
