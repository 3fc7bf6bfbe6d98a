package dev.switchboard.client;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CoordinatorChoiceTest {

  private static final List<String> COORDINATORS = List.of("http://a:8080", "http://b:8080", "http://c:8080");

  @Test
  void aKeyAlwaysStartsOnTheSameCoordinatorAndKeysSpreadOverAll() {
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      int first = BackendListStream.startIndex(COORDINATORS, "user-" + i, () -> 0.0);
      assertEquals(first, BackendListStream.startIndex(COORDINATORS, "user-" + i, () -> 0.99), "independent of randomness");
      used.add(first);
    }
    assertEquals(Set.of(0, 1, 2), used);
  }

  @Test
  void withoutAKeyTheStartIsRandom() {
    assertEquals(0, BackendListStream.startIndex(COORDINATORS, null, () -> 0.0));
    assertEquals(2, BackendListStream.startIndex(COORDINATORS, null, () -> 0.99));
  }
}
