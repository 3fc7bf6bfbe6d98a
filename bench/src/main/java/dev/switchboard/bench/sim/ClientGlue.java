package dev.switchboard.bench.sim;

import dev.switchboard.client.Backoff;
import dev.switchboard.client.MoveHint;
import dev.switchboard.client.MoveReason;
import dev.switchboard.client.policy.Selector;
import dev.switchboard.model.BackendRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The clients, one connection each (pool 1). This is the glue: {@code SwitchboardClient} is bound to
 * Vert.x, so its decision order is restated here around the real pieces — {@link Selector} (one per
 * list snapshot), {@link Backoff#spreadMs} / {@link Backoff#delayMs}, {@link MoveHint#targets}. Each
 * method names the client method it restates; nothing else is decided here.
 *
 * <p>Per client: a handful of ints and bytes. The backends a client failed on or lost lately live in
 * sparse maps: only clients in trouble have entries.
 */
final class ClientGlue {

  private static final int NONE = Fleet.NONE;
  private static final byte MOVING = 1; // the attempt in flight replaces the open connection
  private static final byte ASKED = 2; // its backend asked it to move (a session is asked once)
  private static final byte LOST = 4; // lost its backend, not yet connected again
  private static final byte IDLE = 8; // found no backend to try: waits for the next list
  private static final byte STAYED = 16; // answered its rebalance with stay: kept, not asked again on this connection

  private final Simulation sim;
  private final Fleet fleet;
  private final SimConfig config;
  final int[] at;
  final int[] pending;
  private final int[] pendingDue;
  private final int[] fillDue;
  private final int[] moveDue;
  private final int[] askOf;
  final int[] connectedAt;
  private final int[] lastMovedAt;
  private final boolean[] movedIn;
  private final byte[] flags;
  final byte[] moves;
  private final byte[] attempt;
  private final int[] moving;
  private final long[] strandedAtUs;
  private final List<Ask> asks = new ArrayList<>();
  private final RecentBackends failedAt = new RecentBackends();
  private final RecentBackends lostAt = new RecentBackends();
  private final SnapshotViews views;
  /** Told of a rebalance a client answered with {@code stay}: the backend asks another in its place. */
  private Consumer<Ask> stayHandler = ask -> { };
  private int[] idle = new int[64];
  private int idleCount;

  ClientGlue(Simulation sim, Fleet fleet, SimConfig config) {
    this.sim = sim;
    this.fleet = fleet;
    this.config = config;
    this.views = new SnapshotViews(sim, config.policy());
    int n = config.clients();
    at = filled(n);
    pending = filled(n);
    pendingDue = filled(n);
    fillDue = filled(n);
    moveDue = filled(n);
    askOf = filled(n);
    connectedAt = new int[n];
    lastMovedAt = new int[n];
    movedIn = new boolean[n];
    Arrays.fill(lastMovedAt, Integer.MIN_VALUE / 2);
    flags = new byte[n];
    moves = new byte[n];
    attempt = new byte[n];
    moving = new int[fleet.size];
    strandedAtUs = new long[fleet.size];
    Arrays.fill(strandedAtUs, Long.MIN_VALUE / 4);
  }

  private static int[] filled(int n) {
    int[] a = new int[n];
    Arrays.fill(a, NONE);
    return a;
  }

  /** The fleet before the event: client {@code c} on {@code b} since {@code sinceUs}. */
  void place(int c, int b, int sinceUs) {
    at[c] = b;
    connectedAt[c] = sinceUs;
    fleet.place(b, c);
  }

  // ---- SwitchboardClient.fill / pick / connect ------------------------------------------------

  /** {@code fill()}: with pool 1, one attempt when there is neither an open connection nor one opening. */
  void fill(int c) {
    if (at[c] != NONE || pending[c] != NONE) {
      return;
    }
    BackendRecord target = pick(c, b -> true);
    if (target == null) {
      // the client tries again on its next list event
      if ((flags[c] & IDLE) == 0) {
        flags[c] |= IDLE;
        if (idleCount == idle.length) {
          idle = Arrays.copyOf(idle, idleCount * 2);
        }
        idle[idleCount++] = c;
      }
      return;
    }
    connect(c, Fleet.index(target), false);
  }

  /**
   * {@code pick(allowed)}: the policy's pick among allowed backends not in the pool, first among those
   * that did not fail lately, then among any but one whose established connection was just lost.
   */
  private BackendRecord pick(int c, Predicate<BackendRecord> allowed) {
    Selector selector = views.selector(c);
    int open = at[c];
    int opening = pending[c];
    RecentBackends.Entries failed = failedAt.of(c, sim.now() - config.maxMs() * 1000, sim);
    RecentBackends.Entries lost = lostAt.of(c, sim.now() - config.maxMs() * 1000, sim);
    Predicate<BackendRecord> unused = b -> {
      int i = Fleet.index(b);
      return i != open && i != opening && allowed.test(b);
    };
    Predicate<BackendRecord> notLost = lost == null ? unused : b -> unused.test(b) && !lost.has(Fleet.index(b));
    BackendRecord pick = selector.pick(null, failed == null ? notLost : b -> notLost.test(b) && !failed.has(Fleet.index(b)));
    if (pick != null || failed == null) {
      return pick; // without failed entries the second pass is the first again, and draws nothing
    }
    return selector.pick(null, notLost);
  }

  /** {@code usable()}: not in the pool, neither failed nor lost lately. */
  private Predicate<BackendRecord> usable(int c) {
    int open = at[c];
    int opening = pending[c];
    RecentBackends.Entries failed = failedAt.of(c, sim.now() - config.maxMs() * 1000, sim);
    RecentBackends.Entries lost = lostAt.of(c, sim.now() - config.maxMs() * 1000, sim);
    return b -> {
      int i = Fleet.index(b);
      return i != open && i != opening && (failed == null || !failed.has(i)) && (lost == null || !lost.has(i));
    };
  }

  /** {@code connect(backend, replaces)}: the attempt's outcome comes one connect latency later. */
  private void connect(int c, int b, boolean move) {
    sim.countAttempt(b, lostAt.has(c, b));
    pending[c] = b;
    flags[c] = (byte) (move ? flags[c] | MOVING : flags[c] & ~MOVING);
    long due = sim.now() + sim.connectLatencyUs();
    pendingDue[c] = (int) due;
    sim.schedule(due, Simulation.CONNECTED, c);
  }

  /** The attempt's outcome: open (a move then closes the old connection) or failed ({@code attemptFailed}). */
  void connected(int c) {
    if (pending[c] == NONE || pendingDue[c] != sim.now()) {
      return; // abandoned
    }
    int b = pending[c];
    boolean move = (flags[c] & MOVING) != 0;
    pending[c] = NONE;
    flags[c] &= ~MOVING;
    views.forget(c);
    if (!fleet.accepts(b)) {
      sim.counts().failedAttempt();
      failedAt.put(c, b, (int) sim.now());
      retryLater(c);
      return;
    }
    if (move) {
      leave(c, at[c]);
      sim.counts().plannedMove();
      moved(c);
    }
    movedIn[c] = move; // held down: the real client says ?moved=drain or ?moved=rebalance (a failover is not held down)
    if ((flags[c] & LOST) != 0) {
      flags[c] &= ~LOST;
      sim.countReconnect(c);
      moved(c);
    }
    at[c] = b;
    connectedAt[c] = (int) sim.now();
    fleet.arrive(b, c);
    // the real client resets the backoff once a connection has stayed up for an interval
    attempt[c] = 0;
  }

  private void moved(int c) {
    if (moves[c] < Byte.MAX_VALUE) {
      moves[c]++;
    }
    lastMovedAt[c] = (int) sim.now();
  }

  /** {@code retryLater()}: exponential backoff with full jitter, unless a timer is already set. */
  private void retryLater(int c) {
    if (fillDue[c] != NONE) {
      return;
    }
    long delayMs = Backoff.delayMs(attempt[c], config.baseMs(), config.maxMs(), config.jitter(), sim.policyRandom());
    if (attempt[c] < 30) {
      attempt[c]++;
    }
    setFillTimer(c, sim.now() + Math.max(1, delayMs) * 1000);
  }

  private void setFillTimer(int c, long dueUs) {
    fillDue[c] = (int) dueUs;
    sim.schedule(dueUs, Simulation.FILL, c);
  }

  void fillTimer(int c) {
    if (fillDue[c] != sim.now()) {
      return; // cancelled or replaced
    }
    fillDue[c] = NONE;
    fill(c);
  }

  // ---- SwitchboardClient.onList ---------------------------------------------------------------

  /**
   * {@code onList()} after a list event: give up attempts to backends no longer listed, fail over from
   * open ones, cancel backoffs when a new backend appeared, fill where no timer is pending. Only the
   * clients it can change are visited: all of them when membership changed, the idle ones otherwise.
   */
  void onList(boolean membershipChanged, boolean newcomer) {
    if (membershipChanged) {
      for (int c = 0; c < at.length; c++) {
        if (pending[c] != NONE && !sim.listed(pending[c])) {
          pending[c] = NONE; // abandon(): no failure counted, no backoff
          flags[c] &= ~MOVING;
        }
        if (at[c] != NONE && !sim.listed(at[c])) {
          failover(c, at[c]); // at once: it is gone for everyone
        }
        if (newcomer && fillDue[c] != NONE) {
          fillDue[c] = NONE;
        }
        if (fillDue[c] == NONE) {
          fill(c);
        }
      }
    }
    int[] waiting = Arrays.copyOf(idle, idleCount);
    idleCount = 0;
    for (int c : waiting) {
      flags[c] &= ~IDLE;
      if (fillDue[c] == NONE) {
        fill(c);
      }
    }
  }

  // ---- SwitchboardClient.failover / refillAfterLoss -------------------------------------------

  /** Its backend closed the connection: kill -9 (the kernel closes it) or a rebalance deadline. */
  void socketClosed(int c, int b) {
    if (at[c] == b) {
      failover(c, b);
    }
  }

  /**
   * {@code failover()}: out of the pool, never back to {@code lost} while another is listed (lostAt),
   * and the first attempt elsewhere after {@link Backoff#spreadMs}. A move in flight simply goes on as
   * the refill (the real client keeps it opening as well).
   */
  private void failover(int c, int lost) {
    leave(c, lost);
    at[c] = NONE;
    flags[c] = (byte) ((flags[c] | LOST) & ~MOVING);
    lostAt.put(c, lost, (int) sim.now());
    // refillAfterLoss(): the lost backend's listed count (as the client last saw it) against the survivors
    int displaced = sim.publishedConnections(lost);
    int survivors = sim.choosableListed() - (sim.listedChoosable(lost) ? 1 : 0);
    long delayMs = Backoff.spreadMs(displaced, survivors, config.failoverRate(), config.maxMs(), sim.policyRandom());
    fillDue[c] = NONE; // a pending backoff belongs to earlier failures
    if (delayMs < 1) {
      fill(c);
    } else {
      setFillTimer(c, sim.now() + delayMs * 1000);
    }
  }

  /** The connection to {@code b} closes; an asked session no longer counts as moving (BackendVerticle). */
  private void leave(int c, int b) {
    fleet.detach(b, c);
    flags[c] &= ~STAYED; // a new connection may be asked again
    if ((flags[c] & ASKED) != 0) {
      flags[c] &= ~ASKED;
      moving[b]--;
    }
  }

  /** {@code BackendVerticle.movesInFlight}: {@code b} holds clients on their way, or one closed or lapsed a deadline ago. */
  boolean movesInFlight(int b) {
    return moving[b] > 0 || sim.now() - strandedAtUs[b] < config.rebalanceDeadlineMs() * 1000;
  }

  // ---- drain frames: SwitchboardClient.onFrame("drain") / moveAway ----------------------------

  void stayHandler(Consumer<Ask> handler) {
    this.stayHandler = handler;
  }

  /** Registers one round's drain frame of backend {@code b}; returns its index for {@link #ask}. */
  int newAsk(int b, MoveHint hint) {
    asks.add(new Ask(b, hint, sim.now()));
    return asks.size() - 1;
  }

  /**
   * A drain frame reaches client {@code c}: it moves at a random moment within half the deadline; if it
   * is still there at the ask's end, a drain closes it and a rebalance lapses ({@link #deadline}).
   */
  void ask(int c, int askIndex, long holdDownUs) {
    if (sim.now() - lastMovedAt[c] < holdDownUs) {
      sim.counts().holdDownViolation();
    }
    Ask ask = asks.get(askIndex);
    flags[c] |= ASKED;
    moving[ask.backend()]++;
    askOf[c] = askIndex;
    long deliveredUs = sim.now() + sim.connectLatencyUs() / 2;
    long timerMs = Math.max(1, (long) (sim.policyRandom().getAsDouble() * ask.hint().deadlineMs() / 2));
    moveDue[c] = (int) (deliveredUs + timerMs * 1000);
    sim.schedule(moveDue[c], Simulation.MOVE, c);
    sim.schedule(ask.endUs(), Simulation.DEADLINE, c);
  }

  /** {@code moveAway(from, hint)}: the first usable preferred backend, else a policy pick among the hint's targets, or stay. */
  void moveTimer(int c) {
    if (moveDue[c] != sim.now()) {
      return;
    }
    moveDue[c] = NONE;
    Ask ask = asks.get(askOf[c]);
    if (at[c] != ask.backend() || pending[c] != NONE) {
      return;
    }
    BackendRecord target = ask.hint().preferred(views.byId(), usable(c));
    if (target == null) {
      target = pick(c, ask.hint().targets(sim.list()));
    }
    if (target == null) {
      sim.counts().declinedMove();
      // the client answers `stay`; the backend keeps it, not moving, cancels the deadline (BackendSession.stay)
      // and asks the next client in its place with the same targets (BackendVerticle.askInPlaceOfAStay)
      if (ask.hint().reason() == MoveReason.REBALANCE && (flags[c] & ASKED) != 0) {
        flags[c] = (byte) ((flags[c] & ~ASKED) | STAYED);
        moving[ask.backend()]--;
        askOf[c] = NONE;
        stayHandler.accept(ask);
      }
      return;
    }
    connect(c, Fleet.index(target), true);
  }

  /**
   * A session still there at its end (SessionMove): a drain closes it at the deadline, the client fails
   * over; a rebalance lapses, the client is kept as one that stayed (a move under way may still finish).
   */
  void deadline(int c) {
    if (askOf[c] == NONE || (flags[c] & ASKED) == 0) {
      return;
    }
    Ask ask = asks.get(askOf[c]);
    if (at[c] == ask.backend() && ask.endUs() == sim.now()) {
      sim.counts().closedAtDeadline();
      strandedAtUs[ask.backend()] = sim.now();
      if (ask.hint().reason() == MoveReason.REBALANCE) {
        flags[c] = (byte) ((flags[c] & ~ASKED) | STAYED);
        moving[ask.backend()]--;
        askOf[c] = NONE;
      } else {
        failover(c, ask.backend());
      }
    }
  }

  /** Whether the client's connection replaced one it was asked to leave (the upgrade's {@code ?moved=drain/rebalance}). */
  boolean movedIn(int c) {
    return movedIn[c];
  }

  boolean asked(int c) {
    return (flags[c] & (ASKED | STAYED)) != 0;
  }
}
