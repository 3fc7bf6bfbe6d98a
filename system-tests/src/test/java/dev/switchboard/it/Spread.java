package dev.switchboard.it;

import dev.switchboard.client.policy.Policy;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What "the policies spread 200 connections as expected" means, for the Java and the browser client alike. */
final class Spread {

  private Spread() {
  }

  /** Client {@code i} used key {@code user-i} and landed on {@code chosen.get(i)}, one of {@code ids}. */
  static String check(String policy, List<String> chosen, List<String> ids) {
    Map<String, Integer> spread = new TreeMap<>();
    ids.forEach(id -> spread.put(id, 0));
    int onFirstChoice = 0;
    for (int i = 0; i < chosen.size(); i++) {
      spread.merge(chosen.get(i), 1, Integer::sum);
      if (chosen.get(i).equals(rendezvousFirst("user-" + i, ids))) {
        onFirstChoice++;
      }
    }
    assertTrue(spread.size() == ids.size(), policy + " chose a backend outside the list: " + spread);
    // 200 over 4: 50 each on average (sd ~6); a policy that favours or starves a backend falls outside [20, 80]
    for (int n : spread.values()) {
      assertTrue(n >= 20 && n <= 80, policy + " spread " + spread);
    }
    if (policy.equals("sticky")) {
      // keys land on their rendezvous choice unless the bounded load passed over a backend
      assertTrue(onFirstChoice >= chosen.size() * 9 / 10, "sticky: " + onFirstChoice + " on the key's first choice, spread " + spread);
    }
    return "spread of " + chosen.size() + " by " + policy + ": " + spread + (policy.equals("sticky") ? ", on first choice " + onFirstChoice : "");
  }

  /** The key's first backend by rendezvous hashing, ties to the smaller id (as {@link Policy#STICKY}). */
  static String rendezvousFirst(String key, List<String> ids) {
    return ids.stream().max(Comparator.comparingLong((String id) -> Policy.rendezvousHash(key, id))
        .thenComparing(Comparator.<String>reverseOrder())).orElseThrow();
  }
}
