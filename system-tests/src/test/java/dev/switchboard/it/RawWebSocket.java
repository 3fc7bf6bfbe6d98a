package dev.switchboard.it;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client that does only what a test tells it: it sends raw frames (invalid UTF-8,
 * oversize), never answers pings, and reports the close code the server sends.
 */
final class RawWebSocket implements AutoCloseable {

  /** One frame received from the server. */
  record Frame(int opcode, byte[] payload) {
    int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Opens and upgrades; returns null with the HTTP status line in {@code status[0]} when refused. */
  static RawWebSocket connect(String url, String[] status) throws IOException {
    return connect(url, status, 0);
  }

  /**
   * Opens and upgrades with a socket receive buffer of {@code receiveBufferBytes} (0: the system's,
   * which grows to megabytes): a small one makes a client that stops reading push back at once.
   */
  static RawWebSocket connect(String url, String[] status, int receiveBufferBytes) throws IOException {
    URI uri = URI.create(url);
    Socket socket = new Socket();
    if (receiveBufferBytes > 0) {
      socket.setReceiveBufferSize(receiveBufferBytes);
    }
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
    socket.setSoTimeout(10_000);
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request = "GET " + uri.getPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + Base64.getEncoder().encodeToString(nonce) + "\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    DataInputStream in = new DataInputStream(socket.getInputStream());
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    String statusLine = head.substring(0, head.indexOf("\r\n"));
    if (status != null) {
      status[0] = statusLine;
    }
    if (!statusLine.contains(" 101 ")) {
      socket.close();
      return null;
    }
    return new RawWebSocket(socket);
  }

  /** Sends one masked frame with the given opcode (1 = text, 2 = binary, 8 = close, 10 = pong). */
  void send(int opcode, byte[] payload) throws IOException {
    sendFrame(opcode, payload, true);
  }

  /** Sends one masked frame; {@code fin} false leaves the message open for continuation frames (opcode 0). */
  void sendFrame(int opcode, byte[] payload, boolean fin) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write((fin ? 0x80 : 0) | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  void sendText(String text) throws IOException {
    send(1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next frame from the server (fails on timeout or end of stream). */
  Frame read() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
  }

  /** Reads until a close frame arrives; returns its code. */
  int awaitClose() throws IOException {
    while (true) {
      Frame f = read();
      if (f.opcode() == 8) {
        return f.closeCode();
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
