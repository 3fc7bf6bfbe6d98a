package dev.switchboard.client.policy;

import dev.switchboard.model.BackendRecord;
import dev.switchboard.model.BackendState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.switchboard.client.policy.PolicyVectorsTest.backend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyTest {

  private static List<BackendRecord> up(int n) {
    List<BackendRecord> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(backend("b-" + i, 0, 100, 100, BackendState.UP));
    }
    return list;
  }

  @Test
  void roundRobinVisitsEveryUpBackendOncePerCycle() {
    Selector s = Policy.ROUND_ROBIN.selector(up(5), new Mulberry32(9));
    Set<String> cycle = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      cycle.add(s.pick().id());
    }
    assertEquals(5, cycle.size());
  }

  @Test
  void noPolicyEverChoosesADrainingBackend() {
    List<BackendRecord> list = new ArrayList<>(up(3));
    list.add(backend("d", 0, 100, 100, BackendState.DRAINING));
    for (Policy p : Policy.values()) {
      Selector s = p.selector(list, new Mulberry32(1));
      for (int i = 0; i < 200; i++) {
        assertNotEquals("d", s.pick("k" + i).id(), p.wire());
      }
    }
    assertNull(Policy.RANDOM.selector(List.of(list.get(3)), new Mulberry32(1)).pick());
  }

  @Test
  void leastLoadedPrefersTheLighterOfTwo() {
    List<BackendRecord> list = List.of(backend("busy", 90, 100, 100, BackendState.UP), backend("idle", 0, 100, 100, BackendState.UP));
    Selector s = Policy.LEAST_LOADED.selector(list, new Mulberry32(4));
    for (int i = 0; i < 50; i++) {
      assertEquals("idle", s.pick().id());
    }
  }

  @Test
  void stickyMovesOnlyTheKeysOfABackendThatLeft() {
    List<BackendRecord> four = up(4);
    Map<String, String> before = new HashMap<>();
    for (int i = 0; i < 1000; i++) {
      before.put("user-" + i, Policy.STICKY.selector(four, new Mulberry32(0)).pick("user-" + i).id());
    }
    Selector three = Policy.STICKY.selector(four.subList(0, 3), new Mulberry32(0));
    int moved = 0;
    for (Map.Entry<String, String> e : before.entrySet()) {
      String now = three.pick(e.getKey()).id();
      if (!e.getValue().equals("b-3")) {
        assertEquals(e.getValue(), now, "a key whose backend stayed does not move");
      } else {
        moved++;
      }
    }
    assertTrue(moved > 150 && moved < 350, "about a quarter of the keys lived on b-3: " + moved);
  }

  @Test
  void stickyPassesOverAHotBackend() {
    List<BackendRecord> even = up(4);
    String key = "hot-key";
    String first = Policy.STICKY.selector(even, new Mulberry32(0)).pick(key).id();
    List<BackendRecord> hot = new ArrayList<>();
    for (BackendRecord b : even) {
      hot.add(b.withConnections(b.id().equals(first) ? 100 : 10));
    }
    assertNotEquals(first, Policy.STICKY.selector(hot, new Mulberry32(0)).pick(key).id());
  }

  @Test
  void policiesAreChosenByName() {
    assertEquals(Policy.LEAST_LOADED, Policy.of("least-loaded"));
    assertThrows(IllegalArgumentException.class, () -> Policy.of("fastest"));
  }

  @Test
  void mulberryMatchesItsReferenceSequence() {
    // first outputs of the reference JavaScript mulberry32(1)
    Mulberry32 r = new Mulberry32(1);
    assertEquals(0.6270739405881613, r.getAsDouble(), 0);
    assertEquals(0.002735721180215478, r.getAsDouble(), 0);
  }

  @Test
  void stickySpillsAnOverloadedBackendsKeysOverAllOthersNotOntoItsSibling() {
    // a node's backends differ in their last character only; their keys must not all spill onto each other
    List<BackendRecord> list = List.of(up("nodea-0", 0), up("nodea-1", 0), up("nodeb-0", 0), up("nodeb-1", 0));
    Map<String, Integer> spill = new HashMap<>();
    int overloadedFirst = 0;
    for (int i = 0; i < 4_000; i++) {
      String key = "user-" + i;
      BackendRecord first = Policy.STICKY.selector(list, () -> 0.0).pick(key);
      if (!first.id().equals("nodea-0")) {
        continue;
      }
      overloadedFirst++;
      List<BackendRecord> loaded = List.of(up("nodea-0", 100), up("nodea-1", 0), up("nodeb-0", 0), up("nodeb-1", 0));
      spill.merge(Policy.STICKY.selector(loaded, () -> 0.0).pick(key).id(), 1, Integer::sum);
    }
    assertEquals(Set.of("nodea-1", "nodeb-0", "nodeb-1"), spill.keySet());
    for (int n : spill.values()) {
      assertTrue(n > overloadedFirst / 3 * 0.8 && n < overloadedFirst / 3 * 1.2, "an even spill: " + spill);
    }
  }

  private static BackendRecord up(String id, int connections) {
    return backend(id, connections, 1_000, 100, BackendState.UP);
  }
}
