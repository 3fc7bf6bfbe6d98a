package dev.switchboard.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AllowedOriginsTest {

  @Test
  void aStarAllowsEveryOriginAndAMissingOne() {
    AllowedOrigins any = AllowedOrigins.parse("*");
    assertTrue(any.isAny());
    assertTrue(any.allows("https://evil.example"));
    assertTrue(any.allows(null));
    assertEquals("*", any.toString());
    assertTrue(AllowedOrigins.parse("https://a.example, *").isAny());
  }

  @Test
  void aListAllowsOnlyItsOriginsComparedAsBrowsersSendThem() {
    AllowedOrigins list = AllowedOrigins.parse(" https://App.Example.com/ ,http://localhost:5173,http://127.0.0.1:80,,");
    assertEquals(List.of("https://app.example.com", "http://localhost:5173", "http://127.0.0.1"), list.origins());
    assertTrue(list.allows("https://app.example.com"));
    assertTrue(list.allows("http://localhost:5173"));
    assertTrue(list.allows("http://127.0.0.1"));
    assertFalse(list.allows("http://localhost:5174"));
    assertFalse(list.allows("http://app.example.com"));
    assertFalse(list.allows("https://app.example.com.evil.example"));
    assertFalse(list.allows("null"));
    assertFalse(list.allows(null));
  }

  @Test
  void theOpaqueOriginIsAllowedOnlyWhenListed() {
    assertTrue(AllowedOrigins.parse("null,https://a.example").allows("null"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", ",", "app.example.com", "https://a.example/path", "https://a.example?x", "*.example.com"})
  void anythingButOriginsIsRefused(String list) {
    assertThrows(IllegalArgumentException.class, () -> AllowedOrigins.parse(list));
  }
}
