package dev.switchboard.backend.impl;

import dev.switchboard.backend.Authorizer;
import dev.switchboard.backend.ClientConnection;
import dev.switchboard.backend.MessageHandler;
import dev.switchboard.backend.Ticket;
import dev.switchboard.model.DrainReason;
import dev.switchboard.model.ErrorCode;
import dev.switchboard.model.MessageDecodeException;
import dev.switchboard.model.WsCodec;
import dev.switchboard.model.WsMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: greets it, answers heartbeats and echoes, and answers bad input with an
 * {@code error} frame while keeping the connection open. Reading pauses while the client does not
 * read its answers, so a flooding client cannot grow our write queue. Messages beyond the rate are
 * dropped with an {@code error} (at most one a second); repeated abuse closes with 1008. A client whose
 * unsent frames (room deliveries, mostly) pass {@code maxOutboundBytes} is closed with
 * {@link #SLOW_CONSUMER}: it resumes elsewhere with {@code since}, and our memory stays bounded.
 */
public final class BackendSession implements RoomMember, ClientConnection {

  private static final Logger log = LoggerFactory.getLogger(BackendSession.class);
  /** Close code for a peer that broke the message-rate policy (RFC 6455 policy violation). */
  public static final short POLICY_VIOLATION = 1008;
  /** Close code for a peer that does not read what we send fast enough (application range of RFC 6455). */
  public static final short SLOW_CONSUMER = 4008;
  private static final long ERROR_EVERY_NANOS = 1_000_000_000L;
  private static final String NO_ROOMS = "rooms are not enabled on this backend";

  private final ServerWebSocket socket;
  private final String backendId;
  private final TokenBucket rate;
  private final TokenBucket abuse;
  private long lastRateErrorAt;
  private boolean awaitingPong;
  /** The drain or rebalance that asked this client to move, if one did. */
  private final SessionMove move;
  private final long connectedAtNanos;
  private final boolean movedIn;

  private final MessageAssembler assembler;
  private final RoomService rooms;
  private final MessageHandler application;
  private String sessionId;
  private Ticket ticket;
  private Authorizer authorizer;
  /** Completes when the room request before the next one was decided and carried out: requests stay in order. */
  private Future<Void> roomRequests = Future.succeededFuture();
  /** Stores this connection's publishes in the order they came (their id claims overlap). */
  private final PublishOrder publishes = new PublishOrder();
  private boolean gone;
  private final Vertx vertx;
  /** The connection's event loop: the outbound count is kept there. */
  private final Context context;
  private final long maxOutboundBytes;
  /** Bytes handed to the socket and not yet written to the network. */
  private long outboundBytes;
  private boolean slowConsumer;

  /**
   * @param rooms the backend's rooms, or null when this backend serves none
   * @param maxOutboundBytes unsent bytes past which the connection is closed as a slow consumer
   */
  public BackendSession(Vertx vertx, ServerWebSocket socket, String backendId, RoomService rooms,
      MessageHandler application, int maxMessageBytes, int perSecond, int burst, int abuseLimit,
      long maxOutboundBytes) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.maxOutboundBytes = maxOutboundBytes;
    this.socket = socket;
    this.move = SessionMove.on(vertx, socket, this::send);
    this.rooms = rooms;
    this.application = application;
    this.assembler = new MessageAssembler(maxMessageBytes);
    this.backendId = backendId;
    long now = System.nanoTime();
    this.connectedAtNanos = now;
    this.movedIn = movedIn(socket.query());
    this.rate = new TokenBucket(burst, perSecond, now);
    // abuseLimit drops are forgiven over about ten seconds
    this.abuse = new TokenBucket(abuseLimit, Math.max(1, abuseLimit / 10.0), now);
    this.lastRateErrorAt = now - ERROR_EVERY_NANOS;
  }

  /**
   * Sets the ticket the client was admitted with (null: none) and who decides its joins and publishes
   * (null: everyone may do anything); call before {@link #start}.
   */
  public BackendSession authorization(Ticket ticket, Authorizer authorizer) {
    this.ticket = ticket;
    this.authorizer = authorizer;
    return this;
  }

  public void start(String sessionId, long heartbeatMs) {
    this.sessionId = sessionId;
    socket.frameHandler(this::onFrame);
    socket.pongHandler(b -> awaitingPong = false);
    socket.drainHandler(v -> socket.resume());
    send(new WsMessage.Welcome(backendId, sessionId, heartbeatMs));
  }

  /**
   * Called every ping interval: closes a connection that did not answer the previous ping (its peer
   * is gone), else sends a ping frame.
   */
  public void pingTick() {
    if (awaitingPong) {
      socket.close((short) 1001, "no pong");
      return;
    }
    awaitingPong = true;
    socket.writePing(Buffer.buffer());
  }

  private void onFrame(WebSocketFrame frame) {
    if (!(frame.isText() || frame.isBinary() || frame.isContinuation())) {
      return; // ping, pong and close are handled by Vert.x
    }
    MessageAssembler.Message message;
    try {
      message = assembler.accept(frame);
    } catch (MessageAssembler.Rejected e) {
      socket.close(e.code(), e.getMessage());
      return;
    }
    if (message == null || !admit()) {
      return;
    }
    if (message.text() != null) {
      onText(message.text());
    } else {
      send(new WsMessage.Error(ErrorCode.BAD_MESSAGE.wire(), "binary frames are not supported"));
    }
  }

  private boolean admit() {
    long now = System.nanoTime();
    if (rate.tryTake(now)) {
      return true;
    }
    if (!abuse.tryTake(now)) {
      socket.close(POLICY_VIOLATION, "message rate exceeded repeatedly");
      return false;
    }
    if (now - lastRateErrorAt >= ERROR_EVERY_NANOS) {
      lastRateErrorAt = now;
      send(new WsMessage.Error(ErrorCode.RATE_LIMITED.wire(), "message dropped: more than the allowed rate"));
    }
    return false;
  }

  private void onText(String text) {
    WsMessage message;
    try {
      message = WsCodec.decode(text);
    } catch (MessageDecodeException e) {
      send(e.toFrame());
      return;
    }
    if (message instanceof WsMessage.Ping ping) {
      send(new WsMessage.Pong(ping.id(), backendId));
    } else if (message instanceof WsMessage.Stay) {
      move.stay(System.nanoTime());
    } else if (message instanceof WsMessage.Echo echo) {
      send(echo);
    } else if (rooms == null && message instanceof WsMessage.Join join) {
      send(new WsMessage.Error(ErrorCode.UNSUPPORTED.wire(), NO_ROOMS, join.room(), null));
    } else if (rooms == null && message instanceof WsMessage.Leave leave) {
      send(new WsMessage.Error(ErrorCode.UNSUPPORTED.wire(), NO_ROOMS, leave.room(), null));
    } else if (rooms == null && message instanceof WsMessage.Publish publish) {
      send(new WsMessage.Error(ErrorCode.UNSUPPORTED.wire(), NO_ROOMS, publish.room(), publish.id()));
    } else if (message instanceof WsMessage.Join join) {
      inTurn(Authorizer.Action.JOIN, join.room(), null, () -> rooms.join(this, join.room(), join.since()));
    } else if (message instanceof WsMessage.Leave leave) {
      inTurn(null, leave.room(), null, () -> rooms.leave(this, leave.room()));
    } else if (message instanceof WsMessage.Publish publish) {
      inTurn(Authorizer.Action.PUBLISH, publish.room(), publish.id(), () -> rooms.publish(this, publishes, publish.room(), publish.id(), publish.data())
          .onSuccess(seq -> send(new WsMessage.Ack(publish.id(), seq)))
          .onFailure(e -> send(e instanceof RoomException refused ? refused.toFrame(publish.id())
              : new WsMessage.Error(ErrorCode.PUBLISH_FAILED.wire(), "publish " + publish.id() + " not stored: "
                  + e.getMessage(), publish.room(), publish.id()))));
    } else if (message instanceof WsMessage.Custom custom && application != null) {
      application.handle(this, custom.json());
    } else if (message instanceof WsMessage.Custom custom) {
      send(new WsMessage.Error(ErrorCode.UNKNOWN_TYPE.wire(), "unknown type '" + clip(custom.type()) + "'"));
    } else {
      send(new WsMessage.Error(ErrorCode.UNKNOWN_TYPE.wire(), "'" + message.type() + "' is not sent by clients"));
    }
  }

  /**
   * Carries out a room request once the authorizer allows {@code action} on {@code room} (a null action
   * needs no permission), after every earlier room request of this connection; a refusal is answered
   * with {@code forbidden} naming the room and the publish's id.
   */
  private void inTurn(Authorizer.Action action, String room, Object id, Runnable request) {
    Promise<Void> done = Promise.promise();
    roomRequests.onComplete(earlier -> decide(action, room).onComplete(decision -> onContext(() -> {
      if (!gone) {
        if (decision.succeeded() && Boolean.TRUE.equals(decision.result())) {
          try {
            request.run();
          } catch (RuntimeException e) {
            // e.g. Hazelcast shutting down: this request fails, the connection's later ones still run
            log.warn("backend {}: room request on {} failed: {}", backendId, room, e.toString());
            send(new WsMessage.Error(ErrorCode.PUBLISH_FAILED.wire(), "room request failed: " + e.getClass().getSimpleName(), room, id));
          }
        } else {
          String verb = action == Authorizer.Action.JOIN ? "join" : "publish to";
          if (decision.failed()) {
            log.warn("backend {}: authorizer failed on {} {}: {}", backendId, verb, room, decision.cause().toString());
          }
          send(new WsMessage.Error(ErrorCode.FORBIDDEN.wire(), "not allowed to " + verb + " room '" + room + "'", room, id));
        }
      }
      done.complete();
    })));
    roomRequests = done.future();
  }

  private Future<Boolean> decide(Authorizer.Action action, String room) {
    if (action == null || authorizer == null) {
      return Future.succeededFuture(true);
    }
    try {
      Future<Boolean> decision = authorizer.authorize(this, action, room);
      return decision == null ? Future.failedFuture(new NullPointerException("the authorizer returned null")) : decision;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Runs on this connection's event loop (an authorizer may answer from another thread). */
  private void onContext(Runnable action) {
    if (context == null || Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /** This connection's planned move: asked by a drain or a rebalance, closed at the deadline unless it stays. */
  public SessionMove move() {
    return move;
  }

  /**
   * Whether the client said it replaces a connection it was asked to leave ({@code ?moved=drain} or
   * {@code ?moved=rebalance} on the upgrade): rebalance holds such a client down, so no planned move
   * follows another. A client that failed over ({@code removed}, {@code closed}, …) is not held down:
   * when its backend comes back, the oldest clients go to it first, and the displaced are among them.
   */
  public boolean movedIn() {
    return movedIn;
  }

  static boolean movedIn(String query) {
    if (query == null) {
      return false;
    }
    for (String pair : query.split("&")) {
      if (pair.equals("moved=" + DrainReason.DRAIN.wire()) || pair.equals("moved=" + DrainReason.REBALANCE.wire())) {
        return true;
      }
    }
    return false;
  }

  /** When the connection was accepted, in {@link System#nanoTime()} terms. */
  public long connectedAtNanos() {
    return connectedAtNanos;
  }

  /** Leaves every room; call when the connection closes. */
  public void closed() {
    gone = true;
    if (rooms != null) {
      rooms.leaveAll(this);
    }
  }

  @Override
  public String session() {
    return sessionId;
  }

  @Override
  public String backend() {
    return backendId;
  }

  @Override
  public Ticket ticket() {
    return ticket;
  }

  @Override
  public void send(JsonObject message) {
    write(message.encode());
  }

  @Override
  public void close(short code, String reason) {
    socket.close(code, reason);
  }

  private static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }

  @Override
  public void send(WsMessage message) {
    write(WsCodec.encode(message));
  }

  @Override
  public void sendEncoded(String frame) {
    write(frame);
  }

  /**
   * Writes a text frame, or closes the connection as a slow consumer when its unsent bytes would pass
   * the bound: never blocks, so a room's delivery to its other members goes on.
   */
  private void write(String text) {
    if (Vertx.currentContext() != context) {
      // an application may answer from another thread
      context.runOnContext(v -> write(text));
      return;
    }
    if (slowConsumer || socket.isClosed()) {
      return;
    }
    long bytes = utf8Length(text);
    if (outboundBytes + bytes > maxOutboundBytes) {
      slowConsumer = true;
      log.info("session {}: closing a slow consumer ({} bytes unsent, the bound is {})", sessionId, outboundBytes,
          maxOutboundBytes);
      socket.close(SLOW_CONSUMER, "slow consumer");
      if (rooms != null) {
        // not now: a room may be delivering to this member in a loop over its members
        vertx.runOnContext(v -> rooms.leaveAll(this));
      }
      return;
    }
    outboundBytes += bytes;
    socket.writeTextMessage(text).onComplete(ar -> outboundBytes -= bytes);
    if (socket.writeQueueFull()) {
      socket.pause();
    }
  }

  /** The UTF-8 length of {@code s}, without encoding it. */
  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        n++; // a lone surrogate is encoded as '?'
      } else {
        n += 3;
      }
    }
    return n;
  }
}
