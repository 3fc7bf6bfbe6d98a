package dev.switchboard.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * N clients on 3 backends of one node; the node is scaled to 6; how long until the largest backend
 * holds at most 1.10 × the mean, and how many connections moved to get there. Clients move on
 * {@code drain} to the less loaded of two random backends (power of two choices), new before old.
 */
final class RebalanceBench {

  private final Vertx vertx;
  private final String coordinator;
  private final String token;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<List<JsonObject>> view = new AtomicReference<>(List.of());
  private final AtomicInteger moved = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private WebSocketClient client;
  private String node;

  RebalanceBench(Vertx vertx, String coordinator, String token) {
    this.vertx = vertx;
    this.coordinator = coordinator;
    this.token = token;
  }

  String run(Proc backendNode, int clients) throws Exception {
    client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(clients * 2));
    backendNode.await("backend node ready: 3 backends", java.time.Duration.ofSeconds(120));
    node = backendNode.await("node (\\S+)\\)", java.time.Duration.ofSeconds(5)).group(1);
    refresh();
    long poller = vertx.setPeriodic(500, id -> vertx.executeBlocking(() -> {
      refresh();
      return null;
    }));
    List<JsonObject> start = view.get();
    List<Future<WebSocket>> batch = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      batch.add(connect(start.get(i % start.size())));
      if (batch.size() == 500) {
        Future.all(batch).await(60, TimeUnit.SECONDS);
        batch.clear();
      }
    }
    Future.all(batch).await(60, TimeUnit.SECONDS);
    awaitTotal(clients);
    System.out.printf("rebalance: %,d clients on 3 backends; scaling to 6…%n", clients);
    moved.set(0);
    long t0 = System.nanoTime();
    String body = http.send(HttpRequest.newBuilder(URI.create(coordinator + "/v1/admin/nodes/" + node + "/scale"))
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString("{\"instances\":6}")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    System.out.println("  scale answered " + body);
    long balancedAt = -1;
    double ratio = Double.NaN;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
    while (System.nanoTime() < until) {
      refresh();
      List<JsonObject> now = view.get();
      int total = now.stream().mapToInt(r -> r.getInteger("connections")).sum();
      int max = now.stream().mapToInt(r -> r.getInteger("connections")).max().orElse(0);
      ratio = now.isEmpty() ? Double.NaN : max / (total / (double) now.size());
      if (now.size() == 6 && total == clients && ratio <= 1.10) {
        balancedAt = System.nanoTime();
        break;
      }
      Thread.sleep(200);
    }
    vertx.cancelTimer(poller);
    client.close().await(60, TimeUnit.SECONDS);
    double seconds = balancedAt < 0 ? Double.NaN : (balancedAt - t0) / 1e9;
    System.out.printf("rebalance: balanced after %.1f s, %,d moved (ideal %,d)%n", seconds, moved.get(), clients / 2);
    return String.format(Locale.ROOT, "%,d clients on 3 backends of one node; the node is scaled to 6 through the admin API. "
        + "Time from the scale call until the largest backend holds ≤ 1.10 × the mean with every client connected "
        + "(as the coordinator lists it: counts are reported at most once a second), and connections moved. The "
        + "minimum that must move is half of them.%n%n"
        + "| clients | time to balanced | moved | ideal (minimum) | moved / ideal | max / mean at the end | failed moves |%n"
        + "|---|---|---|---|---|---|---|%n| %,d | %s | %,d | %,d | %.2f× | %.3f | %d |%n",
        clients, clients, Double.isNaN(seconds) ? "not within 300 s" : String.format(Locale.ROOT, "%.1f s", seconds),
        moved.get(), clients / 2, moved.get() / (clients / 2.0), ratio, failed.get());
  }

  private void refresh() throws Exception {
    String body = http.send(HttpRequest.newBuilder(URI.create(coordinator + "/v1/backends")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    JsonArray all = new JsonObject(body).getJsonArray("backends");
    List<JsonObject> mine = new ArrayList<>();
    all.forEach(o -> {
      JsonObject r = (JsonObject) o;
      if (node == null || r.getString("node").equals(node)) {
        mine.add(r);
      }
    });
    view.set(mine);
  }

  private void awaitTotal(int clients) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      refresh();
      if (view.get().stream().mapToInt(r -> r.getInteger("connections")).sum() == clients) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the list never showed " + clients + " connections");
  }

  private Future<WebSocket> connect(JsonObject backend) {
    return client.connect(new WebSocketConnectOptions().setAbsoluteURI(backend.getString("url"))).onSuccess(ws ->
        ws.textMessageHandler(text -> {
          if (text.startsWith("{\"type\":\"drain\"")) {
            move(ws, backend.getString("id"), 5);
          }
        }));
  }

  private void move(WebSocket ws, String from, int attempts) {
    if (attempts == 0) {
      failed.incrementAndGet();
      return;
    }
    List<JsonObject> options = view.get().stream()
        .filter(r -> "UP".equals(r.getString("state")) && !r.getString("id").equals(from)).toList();
    if (options.isEmpty()) {
      failed.incrementAndGet();
      return;
    }
    JsonObject a = options.get(ThreadLocalRandom.current().nextInt(options.size()));
    JsonObject b = options.get(ThreadLocalRandom.current().nextInt(options.size()));
    connect(a.getInteger("connections") <= b.getInteger("connections") ? a : b).onComplete(ar -> {
      if (ar.succeeded()) {
        moved.incrementAndGet();
        ws.close();
      } else {
        move(ws, from, attempts - 1);
      }
    });
  }
}
