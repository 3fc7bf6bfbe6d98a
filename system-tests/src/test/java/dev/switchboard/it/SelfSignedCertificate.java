package dev.switchboard.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away self-signed server certificate for 127.0.0.1 and localhost (its own CA), as PEM files,
 * made with the JDK's {@code keytool} at test time; nothing is committed.
 */
record SelfSignedCertificate(Path cert, Path key) {

  private static final String PASSWORD = "test-only";

  static SelfSignedCertificate create(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
    Path store = dir.resolve("server.p12");
    SelfSignedCertificate files = new SelfSignedCertificate(dir.resolve("server-cert.pem"), dir.resolve("server-key.pem"));
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "EKU=serverAuth", "-validity", "2", "-keystore", store.toString());
    keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(), "-file", files.cert().toString());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, PASSWORD.toCharArray());
    }
    byte[] der = keys.getKey("server", PASSWORD.toCharArray()).getEncoded();
    Files.writeString(files.key(), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END PRIVATE KEY-----\n");
    return files;
  }

  X509Certificate x509() throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(cert)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** Base64 SHA-256 of the public key: Chromium's {@code --ignore-certificate-errors-spki-list} entry. */
  String spkiSha256() throws IOException, GeneralSecurityException {
    return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(x509().getPublicKey().getEncoded()));
  }

  /** A TLS context that trusts this certificate only. */
  SSLContext trustingContext() throws IOException, GeneralSecurityException {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("server", x509());
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
    }
  }
}
