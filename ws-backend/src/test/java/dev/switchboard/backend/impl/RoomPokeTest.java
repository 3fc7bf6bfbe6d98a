package dev.switchboard.backend.impl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** {@link RoomPoke}'s wire form, and the bodies that only say "read now". */
class RoomPokeTest {

  @Test
  void aPokeRoundTripsWithAMessageThatHoldsNewlines() {
    RoomPoke poke = new RoomPoke(42, "{\"id\":\"a\",\"data\":\"x\\ny\"}\n");
    assertEquals(poke, RoomPoke.decode(poke.encode()));
  }

  @Test
  void anOlderNodesLongPokeOrAMalformedOneCarriesNoMessage() {
    assertNull(RoomPoke.decode(7L));
    assertNull(RoomPoke.decode("no seq"));
    assertNull(RoomPoke.decode("x1\n{}"));
    assertNull(RoomPoke.decode("-3\n{}"));
    assertNull(RoomPoke.decode("\n{}"));
  }
}
