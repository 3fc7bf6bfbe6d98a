package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublishKeyTest {

  @Test
  void theIntegerSevenAndTheStringSevenAreDifferentMessages() {
    assertNotEquals(PublishKey.of("lobby", 7L), PublishKey.of("lobby", "7"));
  }

  @Test
  void anIntegerIdIsTheSameKeyWhateverItsJavaType() {
    assertEquals(PublishKey.of("lobby", 7L), PublishKey.of("lobby", 7));
  }

  @Test
  void theSameIdInTwoRoomsIsTwoKeys() {
    assertNotEquals(PublishKey.of("a", "m"), PublishKey.of("b", "m"));
    assertNotEquals(PublishKey.of("a", "s:x"), PublishKey.of("a\u0000s:s", "x"), "room names hold no NUL");
  }

  @Test
  void aNonIntegralIdIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> PublishKey.of("lobby", 1.5));
  }

  @Test
  void theCleanupPatternMatchesEveryKeyOfTheListedRoomsAndNoOther() {
    Pattern p = Pattern.compile(PublishKey.roomsPattern(List.of("a.b", "c_d", "x:y-z")));
    assertTrue(p.matcher(PublishKey.of("a.b", "m-1")).matches());
    assertTrue(p.matcher(PublishKey.of("c_d", 7L)).matches());
    assertTrue(p.matcher(PublishKey.of("x:y-z", "line\nbreak")).matches());
    assertFalse(p.matcher(PublishKey.of("aXb", "m-1")).matches(), "a dot is literal");
    assertFalse(p.matcher(PublishKey.of("a.bc", "m-1")).matches());
    assertFalse(p.matcher(PublishKey.of("za.b", "m-1")).matches());
  }
}
