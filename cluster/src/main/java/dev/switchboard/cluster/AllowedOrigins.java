package dev.switchboard.cluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The browser origins a node serves ({@code --allowed-origins} on backends, {@code --allowed-origin} on
 * coordinators): {@code *} (any, the default) or a comma-separated list of origins such as
 * {@code https://app.example.com,http://localhost:5173}. Entries are compared as browsers send them:
 * scheme and host in lower case, no trailing slash, no default port ({@code :80} for http, {@code :443}
 * for https). The literal {@code null} lists the opaque origin of sandboxed and {@code file:} pages.
 * Immutable.
 */
public final class AllowedOrigins {

  /** The wildcard: every origin. */
  public static final String ANY = "*";

  private static final Pattern ORIGIN = Pattern.compile("[a-z][a-z0-9+.-]*://[^/?#\\s,]+");

  private final Set<String> origins;

  private AllowedOrigins(Set<String> origins) {
    this.origins = origins;
  }

  /** Every origin. */
  public static AllowedOrigins any() {
    return new AllowedOrigins(Set.of());
  }

  /**
   * Parses {@code *} or a comma-separated list (blank entries are skipped; {@code *} anywhere in the
   * list means any).
   *
   * @throws IllegalArgumentException for an entry that is not an origin ({@code scheme://host[:port]},
   *     no path) nor {@code null}, or an empty list
   */
  public static AllowedOrigins parse(String list) {
    if (list == null || list.isBlank()) {
      throw new IllegalArgumentException("allowed origins must be * or a comma-separated list of origins, got '"
          + list + "'");
    }
    Set<String> origins = new LinkedHashSet<>();
    for (String entry : list.split(",")) {
      String origin = entry.trim();
      if (origin.isEmpty()) {
        continue;
      }
      if (ANY.equals(origin)) {
        return any();
      }
      String normal = normalize(origin);
      if (!"null".equals(normal) && !ORIGIN.matcher(normal).matches()) {
        throw new IllegalArgumentException("'" + origin + "' is not an origin: expected scheme://host[:port] "
            + "without a path, e.g. https://app.example.com");
      }
      origins.add(normal);
    }
    if (origins.isEmpty()) {
      throw new IllegalArgumentException("allowed origins list '" + list + "' names no origin");
    }
    return new AllowedOrigins(Collections.unmodifiableSet(origins));
  }

  /** Whether every origin is allowed. */
  public boolean isAny() {
    return origins.isEmpty();
  }

  /** Whether {@code origin} (an {@code Origin} header value) is allowed; a missing one is not listed. */
  public boolean allows(String origin) {
    return isAny() || origin != null && origins.contains(normalize(origin.trim()));
  }

  /** The listed origins, normalized; empty for any. */
  public List<String> origins() {
    return new ArrayList<>(origins);
  }

  @Override
  public String toString() {
    return isAny() ? ANY : String.join(",", origins);
  }

  private static String normalize(String origin) {
    String o = origin.toLowerCase(Locale.ROOT);
    while (o.endsWith("/")) {
      o = o.substring(0, o.length() - 1);
    }
    if (o.startsWith("http://") && o.endsWith(":80")) {
      o = o.substring(0, o.length() - 3);
    } else if (o.startsWith("https://") && o.endsWith(":443")) {
      o = o.substring(0, o.length() - 4);
    }
    return o;
  }
}
