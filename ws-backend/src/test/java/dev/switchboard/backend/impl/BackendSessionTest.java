package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BackendSessionTest {

  @Test
  void theOutboundByteCountIsTheUtf8LengthOfTheFrame() {
    for (String s : new String[] {"", "{\"type\":\"pong\"}", "café", "日本語", "emoji 😀 and a lone \uD83D surrogate",
        "\u0000\u007f\u0080\u07ff\u0800\uffff"}) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, BackendSession.utf8Length(s), s);
    }
  }
}
