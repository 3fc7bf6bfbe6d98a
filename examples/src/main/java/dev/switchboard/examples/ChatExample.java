package dev.switchboard.examples;

import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import io.vertx.core.Vertx;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The Java client end to end: follows a coordinator's list, connects to a backend, joins a room,
 * publishes one message and prints every message of the room until stopped (Ctrl-C).
 *
 * <pre>
 * java -jar examples/target/switchboard-examples-0.1.0-SNAPSHOT-all.jar \
 *     --coordinator http://127.0.0.1:8080 --room lobby --message hello
 * </pre>
 */
public final class ChatExample {

  private static final Map<String, String> DEFAULTS = Map.of(
      "coordinator", "http://127.0.0.1:8080",
      "service", SwitchboardClientOptions.DEFAULT_SERVICE,
      "room", "lobby",
      "message", "hello from Java");

  private ChatExample() {
  }

  private static final String USAGE =
      "usage: ChatExample [--coordinator URL[,URL…]] [--service NAME] [--room NAME] [--message TEXT]";

  public static void main(String[] args) throws InterruptedException {
    if (Arrays.asList(args).contains("--help")) {
      System.out.println(USAGE + "\ndefaults: " + new java.util.TreeMap<>(DEFAULTS));
      return;
    }
    Map<String, String> flags;
    try {
      flags = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    String room = flags.get("room");
    Vertx vertx = Vertx.vertx();
    SwitchboardClient client = new SwitchboardClient(vertx, new SwitchboardClientOptions()
            .setCoordinators(List.of(flags.get("coordinator").split(",")))
            .setService(flags.get("service")))
        .messageHandler(m -> System.out.println("received " + m.getString("room") + " #" + m.getLong("seq") + ": " + m.getValue("data")))
        .failoverHandler(f -> System.out.println("failover from " + f.from().id() + ": " + f.reason().code()))
        .stateHandler(s -> System.out.println("state " + s));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      client.close().eventually(vertx::close).onComplete(ar -> stopped.countDown());
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    client.start()
        .onSuccess(v -> System.out.println("connected to " + client.backend().id() + " via " + client.coordinator()))
        .compose(v -> client.join(room))
        .onSuccess(seq -> System.out.println("joined " + room + " after #" + seq))
        .compose(seq -> client.publish(room, flags.get("message")))
        .onSuccess(seq -> System.out.println("published #" + seq))
        .onFailure(e -> {
          System.err.println("error: " + e.getMessage());
          new Thread(() -> System.exit(1)).start(); // not on the event loop, which the shutdown hook needs
        });
    stopped.await();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> flags = new HashMap<>(DEFAULTS);
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      if (name == null || !DEFAULTS.containsKey(name)) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + Arrays.toString(DEFAULTS.keySet().toArray()));
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      flags.put(name, args[i + 1]);
    }
    return flags;
  }
}
