// Type declarations for switchboard.js, the Switchboard browser client (a dependency-free ES module).
// Usage: docs/client-js.md.

/** A backend as the coordinator lists it (docs/protocol.md §1). */
export interface BackendRecord {
  id: string;
  service: string;
  url: string;
  state: 'UP' | 'DRAINING';
  zone: string;
  node: string;
  connections: number;
  capacity: number;
  weight: number;
  startedAt: number;
  /** Set by a coordinator while the backend's node misses its liveness deadline: not chosen for new connections. */
  suspect?: boolean;
  [extension: string]: unknown;
}

export type PolicyName = 'round-robin' | 'random' | 'least-loaded' | 'sticky';

export type ClientState = 'connecting' | 'open' | 'degraded' | 'offline';

/** Pool states, emitted through the `state` event. */
export declare const State: Readonly<{
  CONNECTING: 'connecting';
  OPEN: 'open';
  DEGRADED: 'degraded';
  OFFLINE: 'offline';
}>;

/** Why a connection left a backend: `move` events carry the planned reasons, `failover` events the failures. */
export declare const MoveReason: Readonly<{
  DRAIN: 'drain';
  REBALANCE: 'rebalance';
  REMOVED: 'removed';
  CLOSED: 'closed';
  HEARTBEAT_TIMEOUT: 'heartbeat-timeout';
}>;

/** The `code` of a backend's `error` frame (docs/protocol.md). */
export declare const ErrorCode: Readonly<{
  BAD_JSON: 'bad-json';
  UNKNOWN_TYPE: 'unknown-type';
  BAD_MESSAGE: 'bad-message';
  UNSUPPORTED: 'unsupported';
  RATE_LIMITED: 'rate-limited';
  PUBLISH_FAILED: 'publish-failed';
  HISTORY_GAP: 'history-gap';
  FORBIDDEN: 'forbidden';
  TOO_MANY_ROOMS: 'too-many-rooms';
}>;

/** The `code` of a join or publish the client itself gave up (never sent by a backend). */
export declare const ClientErrorCode: Readonly<{
  TIMEOUT: 'timeout';
  STOPPED: 'stopped';
  QUEUE_FULL: 'queue-full';
}>;

/** A line of text for each MoveReason, for logs and pages; compare the codes, not the text. */
export declare const MoveReasonText: Readonly<Record<PlannedMoveReason | FailureReason, string>>;

/** The life of one connection of the pool: connecting → welcomed → joining (a primary's replacement) → ready → closing. */
export declare const ConnectionState: Readonly<{
  CONNECTING: 'connecting';
  WELCOMED: 'welcomed';
  JOINING: 'joining';
  READY: 'ready';
  CLOSING: 'closing';
}>;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];
export type ClientErrorCodeValue = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

export type PlannedMoveReason = 'drain' | 'rebalance';
export type FailureReason = 'removed' | 'closed' | 'heartbeat-timeout';

/** After this many failed attempts in a row with nothing open, the state is `offline`. */
export declare const OFFLINE_AFTER_FAILURES: number;

/** Exponential backoff with jitter: uniform in [cap × (1 − jitter), cap), cap = min(maxMs, baseMs × 2^attempt). */
export declare function backoff(attempt: number, baseMs: number, maxMs: number, random?: () => number, jitter?: number): number;

/** The first attempt after losing a backend waits uniformly within the window that keeps `displaced` arrivals at `ratePerBackend`/s on each survivor. */
export declare function spread(displaced: number, survivors: number, ratePerBackend: number, maxMs: number, random?: () => number): number;

/**
 * A join or publish that failed: refused by the backend (its `error` frame's code) or given up by the
 * client (`timeout` after `requestTimeoutMs`, `stopped`, `queue-full`). `id` is a publish's id.
 */
export declare class RequestError extends Error {
  constructor(message: string, code: ErrorCodeValue | ClientErrorCodeValue | string, room?: string, id?: string | number);
  readonly code: ErrorCodeValue | ClientErrorCodeValue | string;
  readonly room?: string;
  readonly id?: string | number;
}

/** A join or publish the backend refused (`error` code `forbidden`); `id` is the publish's id, absent for a join. */
export declare class ForbiddenError extends RequestError {
  constructor(message: string, room: string, id?: string | number);
  readonly code: 'forbidden';
  readonly room: string;
  readonly id?: string | number;
}

/** A room message, delivered once, in seq order per room. */
export interface RoomMessage {
  type: 'message';
  room: string;
  seq: number;
  id?: string;
  data: unknown;
  [extension: string]: unknown;
}

/** Any JSON frame from a backend that the client does not handle itself (application types, `error`). */
export interface AppMessage {
  type: string;
  [field: string]: unknown;
}

export interface BackendListOptions {
  /** Coordinator base URLs, e.g. `['http://127.0.0.1:8080']`. */
  coordinators: string[];
  /** Backend pool. Default `'chat'`. */
  service?: string;
  /** Picks the first coordinator by rendezvous hashing; random without one. */
  key?: string;
  /** Base delay once every coordinator failed in a row (backoff capped at 30 s). Default 2000. */
  retryMs?: number;
  EventSource?: typeof EventSource;
  fetch?: typeof fetch;
  random?: () => number;
  /** Monotonic clock in ms (default `performance.now`). */
  now?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export interface BackendListEventMap {
  /** `removed` comes with `remove`: the id and the coordinator's reason (e.g. `unreachable`, `deregistered`). */
  change: CustomEvent<{ backends: BackendRecord[]; type: 'snapshot' | 'upsert' | 'remove'; removed?: { id: string; reason: string } }>;
  coordinator: CustomEvent<{ url: string; streaming: boolean }>;
}

/** The backend list, followed over SSE from one coordinator at a time; share one between clients of a page. */
export declare class BackendList extends EventTarget {
  constructor(options: BackendListOptions);
  /** The list as last known, by id. */
  readonly backends: Map<string, BackendRecord>;
  readonly lastEventId: string | null;
  readonly streaming: boolean;
  /** The coordinator's keep-alive interval, from its `ping` events (15000 until one says otherwise); a stream silent for 2 × this + 1 s is left. */
  readonly keepAliveMs: number;
  /** The coordinator followed now (or tried next). */
  readonly coordinator: string;
  start(): this;
  stop(): void;
  /** Tells the coordinator a listed backend could not be reached (at most once per backend per 10 s). */
  report(id: string, reason: string): void;
  addEventListener<K extends keyof BackendListEventMap>(type: K, listener: (event: BackendListEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}

export interface SwitchboardOptions {
  /** Coordinator base URLs (required unless `list` is given). */
  coordinators?: string[];
  /** Backend pool. Default `'chat'`. */
  service?: string;
  /** Default `'round-robin'`. */
  policy?: PolicyName;
  /** The key for `sticky` (also picks the first coordinator). */
  key?: string;
  /** Pool size: connections to this many distinct backends. Default 1. */
  connections?: number;
  /** Bound of the sends queued while none is open, and of unacked publishes. Default 1000. */
  queueSize?: number;
  /** Ping a connection idle this long. When not set: the backend's `welcome.heartbeatMs` (50 ms – 5 min), else 2000. */
  intervalMs?: number;
  /** No pong (or no welcome) within this → the connection is replaced. Default 5000. */
  timeoutMs?: number;
  /** A join or publish not answered within this rejects with a `RequestError` of code `timeout`. Default 10000. */
  requestTimeoutMs?: number;
  /** Reconnect backoff base. Default 250. */
  baseMs?: number;
  /** Reconnect backoff cap. Default 10000. */
  maxMs?: number;
  /** Random share of each backoff delay, 0..1. Default 1 (full jitter). */
  jitter?: number;
  /** A socket with more unsent bytes is skipped by `send`. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Arrivals per second each surviving backend should take when a backend is lost (spreads the first attempt). Default 4000; 0 = none. */
  failoverRate?: number;
  /**
   * The signed ticket backends ask for, sent as `?ticket=` (URL-encoded): a string, or a function asked
   * again before every connection attempt (first connect, refill, failover, move), e.g. to fetch a fresh
   * one. A throw or rejection fails that attempt, which is retried with backoff. None by default.
   */
  ticket?: string | (() => string | Promise<string>);
  /** A list shared with other clients; `stop()` leaves it running. */
  list?: BackendList;
  WebSocket?: typeof WebSocket;
  EventSource?: typeof EventSource;
  fetch?: typeof fetch;
  now?: () => number;
  random?: () => number;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

export interface SwitchboardEventMap {
  backends: CustomEvent<BackendRecord[]>;
  state: CustomEvent<{ state: ClientState }>;
  open: CustomEvent<{ backend: BackendRecord; session?: string }>;
  close: CustomEvent<{ backend: BackendRecord; code: number; reason: string }>;
  rtt: CustomEvent<{ backend: BackendRecord; ms: number }>;
  /** A connection failed and left its backend. */
  failover: CustomEvent<{ from: BackendRecord | null; reason: FailureReason; detail: string }>;
  /** The backend asked this client to move; the new connection opens before the old one closes. */
  move: CustomEvent<{ from: BackendRecord; to: BackendRecord; reason: PlannedMoveReason; detail: string }>;
  message: CustomEvent<RoomMessage | AppMessage>;
}

/** A client of one Switchboard service: a pool of WebSocket connections that survives failures and drains. */
export declare class Switchboard extends EventTarget {
  constructor(options: SwitchboardOptions);
  readonly options: Required<Pick<SwitchboardOptions, 'service' | 'policy' | 'connections' | 'queueSize'>> & SwitchboardOptions;
  readonly list: BackendList;
  readonly state: ClientState;
  /** The backend list as last known, by id. */
  readonly backends: Map<string, BackendRecord>;
  /** The backend of the primary connection (rooms and publishes), or null. */
  readonly backend: BackendRecord | null;
  /** The backends of the open connections, primary first. */
  readonly connected: BackendRecord[];
  /** Connection attempts so far. */
  readonly connectAttempts: number;
  start(): this;
  stop(): void;
  /** Sends on an open connection, or queues; false when the queue is full and the message was not taken. */
  send(message: object): boolean;
  /**
   * Resolves with the seq the room starts after; rejoined from the last seq after a failover. Rejects with
   * a `RequestError` when refused (`ForbiddenError` for `forbidden`) or unanswered within `requestTimeoutMs`;
   * the room is then forgotten.
   */
  join(room: string): Promise<number>;
  /**
   * Resolves with the message's seq once stored; resent with the same id after a failover. Rejects with a
   * `RequestError` when refused, unacked within `requestTimeoutMs`, or past `queueSize` unacked.
   */
  publish(room: string, data: unknown): Promise<number>;
  addEventListener<K extends keyof SwitchboardEventMap>(type: K, listener: (event: SwitchboardEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
}
