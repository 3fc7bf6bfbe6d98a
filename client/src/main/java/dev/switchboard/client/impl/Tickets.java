package dev.switchboard.client.impl;

import io.vertx.core.Future;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** Tickets for connection attempts, and the query parameters of a backend URL. Pure. */
public final class Tickets {

  private Tickets() {
  }

  /** The ticket for one attempt: asked of the supplier each time; a succeeded null future without one. */
  static Future<String> next(Supplier<Future<String>> supplier) {
    if (supplier == null) {
      return Future.succeededFuture();
    }
    try {
      Future<String> ticket = supplier.get();
      return ticket == null ? Future.failedFuture(new IllegalStateException("the ticket supplier returned null")) : ticket;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** {@code url} with {@code ?ticket=} (URL-encoded) when there is a ticket. */
  public static String withTicket(String url, String ticket) {
    if (ticket == null || ticket.isEmpty()) {
      return url;
    }
    return withQuery(url, "ticket", ticket);
  }

  static String withQuery(String url, String name, String value) {
    return url + (url.indexOf('?') < 0 ? '?' : '&') + name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
