package dev.switchboard.client;

import dev.switchboard.model.SseEvent;
import io.vertx.core.Future;

/**
 * How a {@link BackendListStream} reaches coordinators and tells time: HTTP and Vert.x timers in
 * production ({@link HttpCoordinatorFeed}), a fake in tests. Called on the stream's context only.
 */
interface CoordinatorFeed {

  /**
   * Requests {@code GET /v1/backends/stream} from the coordinator at {@code baseUrl}. The stream's
   * {@link Stream#opened()} completes when a 200 answer's headers are in, and fails on any other
   * answer or error; later, events, {@code retry:} values and the end go to {@code sink}.
   */
  Stream open(String url, String lastEventId, Sink sink);

  /** Best-effort POST of a JSON body; failures are only logged. */
  void post(String url, String json);

  /** Releases the HTTP client. */
  Future<Void> close();

  /** Milliseconds of a monotonic clock. */
  long nowMs();

  /** Runs {@code task} once after {@code delayMs}; returns an id for {@link #cancelTimer}. */
  long setTimer(long delayMs, Runnable task);

  void cancelTimer(long id);

  /** One request: its opening, and a way to drop it whatever stage it reached. */
  interface Stream {

    Future<Void> opened();

    /** Closes the connection; the sink hears nothing more. */
    void close();
  }

  /** Where an open stream delivers. */
  interface Sink {

    void event(SseEvent event);

    void retry(long millis);

    /** The stream ended or broke; {@code why} says how. Called at most once. */
    void ended(String why);
  }
}
