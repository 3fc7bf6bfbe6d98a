package dev.switchboard.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away CA and a member certificate signed by it, as PEM files in a directory, made with the
 * JDK's {@code keytool} (no openssl needed) at test time; nothing is committed.
 */
record TestCertificates(Path cert, Path key, Path ca) {

  private static final String PASSWORD = "test-only";

  /** Creates {@code <name>-ca.pem}, {@code <name>-cert.pem} and {@code <name>-key.pem} in {@code dir}. */
  static TestCertificates create(Path dir, String name) throws IOException, InterruptedException, GeneralSecurityException {
    Path caStore = dir.resolve(name + "-ca.p12");
    Path nodeStore = dir.resolve(name + "-node.p12");
    Path csr = dir.resolve(name + "-node.csr");
    TestCertificates files = new TestCertificates(dir.resolve(name + "-cert.pem"), dir.resolve(name + "-key.pem"),
        dir.resolve(name + "-ca.pem"));
    keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name + " test CA",
        "-ext", "bc:c", "-validity", "2", "-keystore", caStore.toString());
    keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-file", files.ca().toString());
    keytool("-genkeypair", "-alias", "node", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name + " member",
        "-validity", "2", "-keystore", nodeStore.toString());
    keytool("-certreq", "-alias", "node", "-keystore", nodeStore.toString(), "-file", csr.toString());
    keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", caStore.toString(), "-infile", csr.toString(),
        "-outfile", files.cert().toString(), "-validity", "2", "-ext", "SAN=ip:127.0.0.1",
        "-ext", "EKU=serverAuth,clientAuth");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (var in = Files.newInputStream(nodeStore)) {
      store.load(in, PASSWORD.toCharArray());
      Key key = store.getKey("node", PASSWORD.toCharArray());
      String pem = "-----BEGIN PRIVATE KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
          + "\n-----END PRIVATE KEY-----\n";
      Files.writeString(files.key(), pem);
    }
    return files;
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
