package dev.switchboard.cluster;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What every Switchboard HTTP server does before routing. Requests that Vert.x rejects while decoding
 * (a request line over {@value #MAX_INITIAL_LINE_LENGTH} bytes → 414, headers over
 * {@value #MAX_HEADER_SIZE} bytes → 431, anything malformed → 400) get the JSON body {@code {"error": …}}
 * the protocol promises instead of Vert.x's empty one; and, where a server asks for it, a connection
 * that does not complete a request head in time is closed (slowloris: headers sent a byte at a time
 * keep a connection busy without ever being idle).
 */
public final class HttpGuard {

  private static final Logger log = LoggerFactory.getLogger(HttpGuard.class);

  /** Longest request line (method, URI, version) accepted; longer → 414. Vert.x's default, made explicit. */
  public static final int MAX_INITIAL_LINE_LENGTH = 4096;
  /** Largest request head (all headers) accepted; larger → 431. Vert.x's default, made explicit. */
  public static final int MAX_HEADER_SIZE = 8192;

  private HttpGuard() {
  }

  /**
   * {@code base} with the request size limits, without cleartext HTTP/2 (h2c), and, when
   * {@code idleTimeoutMs > 0}, that idle timeout (nothing read or written). h2c is off because Vert.x
   * buffers a connection's whole first request, looking for an h2c upgrade, before it hands the
   * connection over: a slowloris head would be out of the deadline's reach. Browsers never speak h2c;
   * every client of ours speaks HTTP/1.1.
   */
  public static HttpServerOptions options(HttpServerOptions base, long idleTimeoutMs) {
    HttpServerOptions options = new HttpServerOptions(base)
        .setMaxInitialLineLength(MAX_INITIAL_LINE_LENGTH)
        .setMaxHeaderSize(MAX_HEADER_SIZE)
        .setHttp2ClearTextEnabled(false);
    if (idleTimeoutMs > 0) {
      options.setIdleTimeout((int) Math.min(Integer.MAX_VALUE, idleTimeoutMs)).setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    }
    return options;
  }

  /**
   * Installs the JSON answer to undecodable requests and, when {@code headerTimeoutMs > 0}, the
   * request-head deadline (the server's options should come from {@link #options}); then
   * {@code handler} serves every decoded request.
   */
  public static HttpServer guard(Vertx vertx, HttpServer server, long headerTimeoutMs, Handler<HttpServerRequest> handler) {
    server.invalidRequestHandler(HttpGuard::rejectInvalid);
    if (headerTimeoutMs <= 0) {
      return server.requestHandler(handler);
    }
    HeadDeadline deadline = new HeadDeadline(vertx, headerTimeoutMs);
    return server.connectionHandler(deadline::opened).requestHandler(deadline.wrap(handler));
  }

  /** Answers a request Vert.x could not decode: 414, 431 or 400 with a JSON body, then closes the connection. */
  public static void rejectInvalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      message = "request line longer than " + MAX_INITIAL_LINE_LENGTH + " bytes";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      message = "request headers larger than " + MAX_HEADER_SIZE + " bytes";
    } else {
      status = 400;
      message = "malformed HTTP request";
    }
    HttpServerResponse response = request.response();
    response.setStatusCode(status).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
        .end(new JsonObject().put("error", message).encode())
        .onComplete(v -> request.connection().close());
  }

  /** Sends {@code {"error": message}} with {@code status}. */
  public static void error(HttpServerResponse response, int status, String message) {
    response.setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }

  /**
   * Closes a connection that has no request in progress and has not sent a complete request head
   * within the deadline, counted from when it opened or its last response ended (HTTP/1.x keep-alive).
   * An HTTP/2 connection is timed until its first request; then the idle timeout watches it.
   */
  private static final class HeadDeadline {

    private static final class State {
      long timer = -1;
      int inFlight;
    }

    private final Vertx vertx;
    private final long timeoutMs;
    private final Map<HttpConnection, State> connections = new ConcurrentHashMap<>();

    HeadDeadline(Vertx vertx, long timeoutMs) {
      this.vertx = vertx;
      this.timeoutMs = timeoutMs;
    }

    void opened(HttpConnection connection) {
      State state = new State();
      connections.put(connection, state);
      connection.closeHandler(v -> {
        State gone = connections.remove(connection);
        if (gone != null) {
          vertx.cancelTimer(gone.timer);
        }
      });
      arm(connection, state);
    }

    Handler<HttpServerRequest> wrap(Handler<HttpServerRequest> handler) {
      return request -> {
        HttpConnection connection = request.connection();
        State state = connections.get(connection);
        if (state != null) {
          state.inFlight++;
          vertx.cancelTimer(state.timer);
          state.timer = -1;
          if (request.version() != HttpVersion.HTTP_2) {
            request.response().endHandler(v -> {
              if (--state.inFlight == 0 && connections.containsKey(connection)) {
                arm(connection, state);
              }
            });
          }
        }
        handler.handle(request);
      };
    }

    private void arm(HttpConnection connection, State state) {
      vertx.cancelTimer(state.timer);
      state.timer = vertx.setTimer(timeoutMs, id -> {
        if (state.timer == id && state.inFlight == 0 && connections.remove(connection) != null) {
          log.debug("closing {}: no complete request head within {} ms", connection.remoteAddress(), timeoutMs);
          connection.close();
        }
      });
    }
  }
}
