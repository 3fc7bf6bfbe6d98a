package dev.switchboard.client.impl;

import dev.switchboard.client.ClientState;
import dev.switchboard.client.Failover;
import dev.switchboard.client.Move;
import dev.switchboard.client.SwitchboardClientOptions;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * A {@link Pool} on a fake clock, fake sockets and a fake list, run on the test's thread; it records
 * what the application would see.
 */
public final class PoolHarness {

  final FakeClock clock = new FakeClock();
  public final FakeTransport transport = new FakeTransport();
  final FakeListFeed list = new FakeListFeed();
  final Listeners on = new Listeners();
  final List<JsonObject> messages = new ArrayList<>();
  public final List<Failover> failovers = new ArrayList<>();
  final List<Move> moves = new ArrayList<>();
  final List<ClientState> states = new ArrayList<>();
  final List<String> attempts = new ArrayList<>();
  public final Pool pool;

  PoolHarness(SwitchboardClientOptions options) {
    this(options, () -> 0.5);
  }

  PoolHarness(SwitchboardClientOptions options, DoubleSupplier random) {
    this(options, random, null);
  }

  /** A pool that follows {@code shared} (a {@link dev.switchboard.client.BackendList}'s feed) rather than the fake list. */
  public PoolHarness(SwitchboardClientOptions options, ListFeed shared) {
    this(options, () -> 0.5, shared);
  }

  private PoolHarness(SwitchboardClientOptions options, DoubleSupplier random, ListFeed shared) {
    on.messages = messages::add;
    on.failovers = failovers::add;
    on.moves = moves::add;
    on.states = states::add;
    on.attempts = b -> attempts.add(b.id());
    pool = new Pool(options.setCoordinators(List.of("http://coordinator.test:1")), clock, transport, shared == null ? list : shared, random,
        Runnable::run, on);
  }

  public static SwitchboardClientOptions options() {
    return new SwitchboardClientOptions().setIntervalMs(1_000).setTimeoutMs(3_000).setRequestTimeoutMs(5_000)
        .setFailoverRate(0);
  }

  /** Starts with {@code backends} listed, and accepts the first attempt; returns its socket. */
  FakeTransport.FakeSocket startOn(BackendRecord... backends) {
    pool.start();
    list.snapshot(backends);
    return transport.last().accept(transport.last().url.contains("//b1.") ? "b1" : "other");
  }

  public List<String> open() {
    return pool.backends().stream().map(BackendRecord::id).toList();
  }

  static JsonObject joined(String room, long seq) {
    return new JsonObject().put("type", "joined").put("room", room).put("seq", seq);
  }

  static JsonObject message(String room, long seq) {
    return new JsonObject().put("type", "message").put("room", room).put("seq", seq).put("data", "m" + seq);
  }

  static JsonObject error(String code, String room, Object id) {
    JsonObject e = new JsonObject().put("type", "error").put("code", code).put("message", code + " here");
    if (room != null) {
      e.put("room", room);
    }
    return id == null ? e : e.put("id", id);
  }

  static JsonObject drain(String reason, long deadlineMs) {
    return new JsonObject().put("type", "drain").put("reason", reason).put("deadlineMs", deadlineMs);
  }

  /** The seqs of the room messages delivered to the application. */
  List<Long> delivered() {
    return messages.stream().filter(m -> "message".equals(m.getString("type"))).map(m -> m.getLong("seq")).toList();
  }
}
