package dev.switchboard.cluster;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS for a node's public HTTP/WebSocket server ({@code https://}, {@code wss://}) from a PEM
 * certificate chain and its PEM private key. Both or neither: one without the other is an error.
 */
public record ServerTls(String certPath, String keyPath) {

  /** The launcher flags that set it, each with its environment variable. */
  public static final String CERT_OPTION = "tls-cert";
  public static final String KEY_OPTION = "tls-key";

  /**
   * @return the TLS settings, or null when neither file is given
   * @throws IllegalArgumentException when only one is given or a file cannot be read
   */
  public static ServerTls of(String certPath, String keyPath) {
    boolean cert = certPath != null && !certPath.isBlank();
    boolean key = keyPath != null && !keyPath.isBlank();
    if (!cert && !key) {
      return null;
    }
    if (cert != key) {
      throw new IllegalArgumentException("TLS needs both --" + CERT_OPTION + " and --" + KEY_OPTION + " (PEM files)");
    }
    for (String file : new String[] {certPath, keyPath}) {
      if (!Files.isReadable(Path.of(file))) {
        throw new IllegalArgumentException("TLS: cannot read PEM file '" + file + "'");
      }
    }
    return new ServerTls(certPath, keyPath);
  }

  /** Turns TLS on in {@code options}; returns them. */
  public HttpServerOptions apply(HttpServerOptions options) {
    return options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath));
  }

  /** {@code https} or {@code http}: the scheme a server with these settings (or none) serves. */
  public static String httpScheme(ServerTls tls) {
    return tls == null ? "http" : "https";
  }

  /** {@code wss} or {@code ws}. */
  public static String webSocketScheme(ServerTls tls) {
    return tls == null ? "ws" : "wss";
  }
}
