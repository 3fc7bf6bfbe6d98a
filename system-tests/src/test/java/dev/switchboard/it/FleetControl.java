package dev.switchboard.it;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Drives a {@link NetnsFleet} process and reads its reports. */
final class FleetControl {

  /** Where a client is: its primary backend ({@code -} for none) and the coordinator whose list it follows. */
  record Status(String backend, String coordinator) {
  }

  /** One line of the fleet's output, split into words. */
  record Event(int line, String[] words) {
    String kind() {
      return words[0];
    }

    int client() {
      return Integer.parseInt(words[1]);
    }
  }

  private final JvmProcess fleet;
  private final int clients;

  FleetControl(JvmProcess fleet, int clients) {
    this.fleet = fleet;
    this.clients = clients;
  }

  JvmProcess process() {
    return fleet;
  }

  /** Every client's status now, by client index. */
  Map<Integer, Status> status() throws IOException, InterruptedException {
    long before = fleet.count("^status-end$");
    fleet.send("status");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (fleet.count("^status-end$") == before) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the fleet did not answer status within 10 s");
      }
      Thread.sleep(20);
    }
    List<String> lines = fleet.lines();
    int end = lines.lastIndexOf("status-end");
    Map<Integer, Status> out = new HashMap<>();
    // other output (acks, messages of a publish running meanwhile) may come between the status lines
    for (int i = end - 1; i >= 0 && out.size() < clients; i--) {
      String[] w = lines.get(i).split(" ");
      if (w.length == 4 && w[0].equals("status")) {
        out.putIfAbsent(Integer.parseInt(w[1]), new Status(w[2], w[3]));
      }
    }
    return out;
  }

  /** The index the next output line will have: a mark to read events from. */
  int mark() {
    return fleet.lines().size();
  }

  /** Events of the given kinds at or after {@code mark}. */
  List<Event> since(int mark, String... kinds) {
    List<String> lines = fleet.lines();
    List<Event> out = new ArrayList<>();
    for (int i = mark; i < lines.size(); i++) {
      String[] w = lines.get(i).split(" ");
      for (String kind : kinds) {
        if (w[0].equals(kind)) {
          out.add(new Event(i, w));
        }
      }
    }
    return out;
  }

  void send(String command) throws IOException {
    fleet.send(command);
  }
}
