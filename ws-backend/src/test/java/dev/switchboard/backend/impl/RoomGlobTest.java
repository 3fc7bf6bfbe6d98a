package dev.switchboard.backend.impl;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoomGlobTest {

  @Example
  void aPatternWithoutAStarIsThatRoomOnly() {
    assertTrue(RoomGlob.matches("lobby", "lobby"));
    assertFalse(RoomGlob.matches("lobby", "lobby2"));
    assertFalse(RoomGlob.matches("lobby", "Lobby"));
    assertFalse(RoomGlob.matches("lobby", "lob"));
  }

  @Example
  void aStarStandsForAnyRunOfCharactersTheEmptyOneIncluded() {
    assertTrue(RoomGlob.matches("team-*", "team-"));
    assertTrue(RoomGlob.matches("team-*", "team-blue:eu"));
    assertFalse(RoomGlob.matches("team-*", "team"));
    assertFalse(RoomGlob.matches("team-*", "teams-1"));
    assertTrue(RoomGlob.matches("*", "anything.at:all"));
    assertTrue(RoomGlob.matches("*-eu", "team-blue-eu"));
    assertTrue(RoomGlob.matches("a*b*c", "abc"));
    assertTrue(RoomGlob.matches("a*b*c", "a-b-b-c"));
    assertFalse(RoomGlob.matches("a*b*c", "a-c-b"));
    // '.' and ':' are plain characters, not regex ones
    assertFalse(RoomGlob.matches("a.b", "axb"));
  }

  @Example
  void onlyRoomCharactersAndStarsMakeAPattern() {
    assertTrue(RoomGlob.isValid("team-*"));
    assertTrue(RoomGlob.isValid("*"));
    assertFalse(RoomGlob.isValid(""));
    assertFalse(RoomGlob.isValid("team ?"));
    assertFalse(RoomGlob.isValid("[ab]"));
    assertFalse(RoomGlob.isValid("x".repeat(129)));
    assertFalse(RoomGlob.isValid(null));
  }

  @Property(tries = 1000)
  void matchesExactlyWhenTheEquivalentRegexMatches(@ForAll("patterns") String pattern, @ForAll("rooms") String room) {
    Pattern regex = Pattern.compile(String.join(".*", Arrays.stream(pattern.split("\\*", -1))
        .map(Pattern::quote).toList()));
    assertEquals(regex.matcher(room).matches(), RoomGlob.matches(pattern, room), pattern + " vs " + room);
  }

  @Property(tries = 500)
  void aRoomWithAnyPartsStarredMatchesItsPattern(@ForAll("rooms") String room, @ForAll("cuts") List<Integer> cuts) {
    StringBuilder pattern = new StringBuilder(room);
    for (int cut : cuts) {
      int from = Math.min(cut % (room.length() + 1), pattern.length());
      int to = Math.min(from + cut % 3, pattern.length());
      pattern.replace(from, to, "*");
    }
    assertTrue(RoomGlob.matches(pattern.toString(), room), pattern + " vs " + room);
  }

  @Provide
  Arbitrary<String> rooms() {
    return Arbitraries.strings().withChars("ab-:.").ofMinLength(1).ofMaxLength(12);
  }

  @Provide
  Arbitrary<String> patterns() {
    return Arbitraries.strings().withChars("ab-:.*").ofMinLength(1).ofMaxLength(8);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 100).list().ofMaxSize(4);
  }
}
