package dev.switchboard.backend.impl;

import dev.switchboard.backend.impl.MessageAssembler.Kind;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MessageAssemblerTest {

  private final MessageAssembler assembler = new MessageAssembler(10);

  private static Buffer bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return Buffer.buffer(b);
  }

  @Test
  void fragmentsAreJoinedIntoOneMessage() throws Exception {
    assertNull(assembler.accept(WebSocketFrame.textFrame("héll", false)));
    assertEquals("héllo", assembler.accept(WebSocketFrame.continuationFrame(Buffer.buffer("o"), true)).text());
  }

  @Test
  void aUtf8SequenceSplitAcrossFragmentsIsValid() throws Exception {
    byte[] e = "é".getBytes(StandardCharsets.UTF_8);
    assertNull(assembler.accept(Kind.TEXT, bytes(e[0]), false));
    assertEquals("é", assembler.accept(Kind.CONTINUATION, bytes(e[1]), true).text());
  }

  @Test
  void theLimitCountsTheWholeMessageAcrossFragments() throws Exception {
    assembler.accept(WebSocketFrame.textFrame("123456", false));
    MessageAssembler.Rejected r = assertThrows(MessageAssembler.Rejected.class,
        () -> assembler.accept(WebSocketFrame.continuationFrame(Buffer.buffer("78901"), true)));
    assertEquals(1009, r.code());
    assertEquals("ok", assembler.accept(WebSocketFrame.textFrame("ok", true)).text(), "usable again after a rejection");
  }

  @Test
  void invalidUtf8TextIs1007ButTheSameBytesAsBinaryPass() throws Exception {
    assertEquals(1007, assertThrows(MessageAssembler.Rejected.class,
        () -> assembler.accept(Kind.TEXT, bytes(0xC3, 0x28), true)).code());
    assertEquals(2, assembler.accept(Kind.BINARY, bytes(0xC3, 0x28), true).binary().length());
  }

  @Test
  void aContinuationWithoutAFirstFrameIsAProtocolError() {
    assertEquals(1002, assertThrows(MessageAssembler.Rejected.class,
        () -> assembler.accept(Kind.CONTINUATION, Buffer.buffer("x"), true)).code());
  }
}
