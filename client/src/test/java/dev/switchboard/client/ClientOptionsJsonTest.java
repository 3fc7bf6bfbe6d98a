package dev.switchboard.client;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ClientOptionsJsonTest {

  @Test
  void everyOptionButTheTicketSurvivesAJsonRoundTrip() {
    SwitchboardClientOptions options = new SwitchboardClientOptions()
        .setCoordinators(List.of("http://a:1", "http://b:2")).setService("svc").setPolicy("sticky").setKey("k")
        .setIntervalMs(11).setTimeoutMs(12).setBaseMs(13).setMaxMs(14).setJitter(0.5).setConnections(3)
        .setQueueSize(15).setFailoverRate(16).setRequestTimeoutMs(17)
        .setListConnectTimeoutMs(18);
    JsonObject json = options.toJson();
    assertEquals(json, new SwitchboardClientOptions(json).toJson());
    assertEquals(17, new SwitchboardClientOptions(json).getRequestTimeoutMs());
    assertEquals(18, new SwitchboardClientOptions(json).getListConnectTimeoutMs());
  }

  @Test
  void absentFieldsKeepTheirDefaults() {
    SwitchboardClientOptions options = new SwitchboardClientOptions(new JsonObject());
    assertEquals(SwitchboardClientOptions.DEFAULT_REQUEST_TIMEOUT_MS, options.getRequestTimeoutMs());
    assertEquals(10_000, options.getRequestTimeoutMs());
    assertEquals(new SwitchboardClientOptions().toJson(), options.toJson());
  }

  @Test
  void anIntervalIsSetOnlyWhenGivenAndTheJsonSaysSo() {
    assertFalse(new SwitchboardClientOptions().isIntervalMsSet());
    assertEquals(SwitchboardClientOptions.DEFAULT_INTERVAL_MS, new SwitchboardClientOptions().getIntervalMs());
    assertFalse(new SwitchboardClientOptions().toJson().containsKey("intervalMs"), "unset stays unset through JSON");
    assertFalse(new SwitchboardClientOptions(new SwitchboardClientOptions().toJson()).isIntervalMsSet());
    SwitchboardClientOptions set = new SwitchboardClientOptions().setIntervalMs(2_000);
    assertTrue(set.isIntervalMsSet(), "set, even to the default value");
    assertTrue(new SwitchboardClientOptions(set.toJson()).isIntervalMsSet());
    assertTrue(new SwitchboardClientOptions(set).isIntervalMsSet());
  }

  @Test
  void aRequestTimeoutBelowOneIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SwitchboardClientOptions().setRequestTimeoutMs(0));
    assertThrows(IllegalArgumentException.class,
        () -> new SwitchboardClientOptions(new JsonObject().put("connections", 0)));
  }

  @Test
  void backendListOptionsSurviveAJsonRoundTripAndMatchTheClientsListOptions() {
    BackendListOptions options = new BackendListOptions().setCoordinators(List.of("http://a:1")).setService("svc")
        .setKey("k").setConnectTimeoutMs(18).setTrustCaPem("/ca.pem");
    assertEquals(options.toJson(), new BackendListOptions(options.toJson()).toJson());
    assertEquals(new BackendListOptions().toJson(), new BackendListOptions(new JsonObject()).toJson());
    assertEquals(options.toJson(), new SwitchboardClientOptions().setCoordinators(List.of("http://a:1")).setService("svc")
        .setKey("k").setListConnectTimeoutMs(18).setTrustCaPem("/ca.pem").listOptions().toJson());
    assertThrows(IllegalArgumentException.class, () -> new BackendListOptions().setConnectTimeoutMs(0));
  }
}
