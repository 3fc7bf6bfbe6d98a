package dev.switchboard.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.Address;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Why Switchboard is not offered as a Vert.x endpoint resolver (docs/client-java.md): in Vert.x 5.1 only
 * the HttpClient consults an {@code AddressResolver}; the WebSocketClient takes the server of its
 * connect options as a socket address and fails on any other {@link Address}. Our backends speak
 * WebSocket only. When a Vert.x upgrade routes WebSockets through resolvers this test fails: then
 * offer the resolver.
 */
class EndpointResolverLimitTest {

  private record ServiceName(String name) implements Address {
  }

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theWebSocketClientCannotBeRoutedThroughAnAddressResolver() {
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setServer(new ServiceName("chat")).setURI("/ws");
    Throwable failure;
    try {
      Future<?> connected = client.connect(options);
      failure = assertThrows(Exception.class, () -> connected.await(10, TimeUnit.SECONDS));
    } catch (RuntimeException thrown) {
      failure = thrown;
    }
    assertInstanceOf(ClassCastException.class, failure, "a non-socket address is not resolved: " + failure);
  }
}
