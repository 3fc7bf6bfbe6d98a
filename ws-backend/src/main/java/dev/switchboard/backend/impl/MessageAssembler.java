package dev.switchboard.backend.impl;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reassembles WebSocket messages from frames under a size limit and decodes text strictly as UTF-8.
 * Vert.x closes over-limit frames with 1000 and does not validate UTF-8, so we do both, to answer with
 * the codes RFC 6455 names: 1009 (too big) and 1007 (invalid payload).
 */
public final class MessageAssembler {

  /** A complete message: {@code text} for a text message, else {@code binary}. */
  public record Message(String text, Buffer binary) {
  }

  /** A message that must close the connection with {@code code}. */
  public static final class Rejected extends Exception {
    private final short code;

    Rejected(int code, String reason) {
      super(reason, null, false, false);
      this.code = (short) code;
    }

    public short code() {
      return code;
    }
  }

  /** RFC 6455 close code: message too big. */
  public static final int MESSAGE_TOO_BIG = 1009;
  /** RFC 6455 close code: payload not consistent with the message type (invalid UTF-8). */
  public static final int INVALID_PAYLOAD = 1007;

  private final int maxBytes;
  private Buffer partial;
  private boolean partialIsText;

  public MessageAssembler(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The kind of a data frame. */
  public enum Kind {
    /** First (or only) frame of a text message. */
    TEXT,
    /** First (or only) frame of a binary message. */
    BINARY,
    /** A later fragment of the current message. */
    CONTINUATION
  }

  /** Adds a data frame; returns the message it completes, or null while a fragmented one is incomplete. */
  public Message accept(WebSocketFrame frame) throws Rejected {
    Kind kind = frame.isContinuation() ? Kind.CONTINUATION : frame.isText() ? Kind.TEXT : Kind.BINARY;
    return accept(kind, frame.binaryData(), frame.isFinal());
  }

  /** Adds a data frame given by its parts. */
  public Message accept(Kind kind, Buffer data, boolean isFinal) throws Rejected {
    if (kind == Kind.CONTINUATION) {
      if (partial == null) {
        throw new Rejected(1002, "continuation without a first frame");
      }
    } else {
      partial = Buffer.buffer();
      partialIsText = kind == Kind.TEXT;
    }
    if (partial.length() + data.length() > maxBytes) {
      partial = null;
      throw new Rejected(MESSAGE_TOO_BIG, "message larger than " + maxBytes + " bytes");
    }
    partial.appendBuffer(data);
    if (!isFinal) {
      return null;
    }
    Buffer complete = partial;
    partial = null;
    if (!partialIsText) {
      return new Message(null, complete);
    }
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(complete.getBytes())).toString();
      return new Message(text, null);
    } catch (CharacterCodingException e) {
      throw new Rejected(INVALID_PAYLOAD, "text message is not valid UTF-8");
    }
  }
}
