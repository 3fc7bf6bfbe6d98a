package dev.switchboard.it;

import dev.switchboard.client.RequestException;
import dev.switchboard.client.SwitchboardClient;
import dev.switchboard.client.SwitchboardClientOptions;
import dev.switchboard.model.BackendRecord;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client host of {@link MultiHostIT}: Java clients in their own JVM inside the client namespace,
 * all in one room, driven by lines on standard input and reporting on standard output, one event a line:
 * {@code open i backend}, {@code failover i backend reason}, {@code move i from to reason},
 * {@code msg i seq data}, {@code ack i data seq}, {@code nack i data code error}, {@code status i backend coordinator}.
 * Commands: {@code status}; {@code publish count intervalMs} (the first {@code publishers} clients each
 * publish {@code count} messages, then {@code publish-done acked failed}); {@code quit}.
 * Arguments: coordinator URLs (comma-separated), clients, publishers, room, list idle timeout (ms).
 */
public final class NetnsFleet {

  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  private NetnsFleet() {
  }

  public static void main(String[] args) throws Exception {
    List<String> coordinators = List.of(args[0].split(","));
    int count = Integer.parseInt(args[1]);
    int publishers = Integer.parseInt(args[2]);
    String room = args[3];
    Vertx vertx = Vertx.vertx();
    List<SwitchboardClient> clients = new ArrayList<>();
    List<Future<Long>> joined = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = i;
      SwitchboardClient client = new SwitchboardClient(vertx, new SwitchboardClientOptions()
          .setCoordinators(coordinators).setPolicy("random"));
      client.openHandler(b -> say("open " + n + " " + b.id()))
          .failoverHandler(f -> say("failover " + n + " " + f.from().id() + " " + f.reason().code()))
          .moveHandler(m -> say("move " + n + " " + m.from().id() + " " + m.to().id() + " " + m.reason().code()))
          .messageHandler(m -> {
            if ("message".equals(m.getString("type"))) {
              say("msg " + n + " " + m.getLong("seq") + " " + m.getValue("data"));
            }
          });
      clients.add(client);
      joined.add(client.start().compose(v -> client.join(room)));
    }
    Future.all(joined).toCompletionStage().toCompletableFuture().get();
    say("ready " + count);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] words = line.trim().split(" ");
      switch (words[0]) {
        case "status" -> {
          for (int i = 0; i < clients.size(); i++) {
            BackendRecord b = clients.get(i).backend();
            say("status " + i + " " + (b == null ? "-" : b.id()) + " " + clients.get(i).coordinator());
          }
          say("status-end");
        }
        case "publish" -> publish(vertx, clients.subList(0, publishers), room, Integer.parseInt(words[1]),
            Long.parseLong(words[2]));
        case "quit" -> {
          vertx.close().toCompletionStage().toCompletableFuture().get();
          System.exit(0);
        }
        default -> say("unknown " + line);
      }
    }
    System.exit(0); // the test closed our input: it is gone
  }

  /** Each publisher sends {@code count} messages, one per interval; a bounded loop on a timer. */
  private static void publish(Vertx vertx, List<SwitchboardClient> publishers, String room, int count, long intervalMs) {
    AtomicInteger acked = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger left = new AtomicInteger(count * publishers.size());
    for (int p = 0; p < publishers.size(); p++) {
      int publisher = p;
      AtomicInteger sent = new AtomicInteger();
      vertx.setPeriodic(intervalMs, timer -> {
        int n = sent.getAndIncrement();
        if (n >= count) {
          vertx.cancelTimer(timer);
          return;
        }
        String data = publisher + "-" + n;
        publishers.get(publisher).publish(room, data).onComplete(ar -> {
          if (ar.succeeded()) {
            acked.incrementAndGet();
            say("ack " + publisher + " " + data + " " + ar.result());
          } else {
            failed.incrementAndGet();
            // the failure's code first (RequestException: timeout, publish-failed, …), then its message
            String code = ar.cause() instanceof RequestException r ? r.code() : ar.cause().getClass().getSimpleName();
            say("nack " + publisher + " " + data + " " + code + " " + String.valueOf(ar.cause().getMessage()).replace('\n', ' '));
          }
          if (left.decrementAndGet() == 0) {
            say("publish-done " + acked.get() + " " + failed.get());
          }
        });
      });
    }
  }

  private static void say(String line) {
    OUT.println(line);
  }
}
