package dev.switchboard.backend.impl;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.RingbufferConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.switchboard.cluster.ClusterNames;
import dev.switchboard.model.WsMessage;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** A connection as the room service sees it: its frames land in a queue. Also starts the test's Hazelcast. */
final class RoomTestMember implements RoomMember {

  final String session = UUID.randomUUID().toString();
  final PublishOrder order = new PublishOrder();
  final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  /** The frames the room handed over already encoded, as given. */
  final BlockingQueue<String> encoded = new LinkedBlockingQueue<>();

  /** A single, unjoined Hazelcast member on loopback with the room ringbuffers' configuration. */
  static HazelcastInstance standaloneHazelcast(String clusterPrefix) {
    Config config = new Config().setClusterName(clusterPrefix + "-" + UUID.randomUUID());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.getNetworkConfig().setPort(15_701).setPortAutoIncrement(true);
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    config.addRingBufferConfig(new RingbufferConfig(ClusterNames.ROOM_PREFIX + "*").setCapacity(ClusterNames.ROOM_HISTORY));
    return Hazelcast.newHazelcastInstance(config);
  }

  @Override
  public String session() {
    return session;
  }

  @Override
  public void send(WsMessage message) {
    frames.add(message.toJson());
  }

  @Override
  public void sendEncoded(String frame) {
    encoded.add(frame);
    frames.add(new JsonObject(frame));
  }

  JsonObject next() throws InterruptedException {
    JsonObject frame = frames.poll(10, TimeUnit.SECONDS);
    if (frame == null) {
      fail("no frame within 10 s");
    }
    return frame;
  }

  JsonObject next(String type) throws InterruptedException {
    JsonObject frame = next();
    assertEquals(type, frame.getString("type"), frame.encode());
    return frame;
  }

  /** The seq a {@code joined} for {@code room} confirms. */
  long joined(String room) throws InterruptedException {
    JsonObject frame = next("joined");
    assertEquals(room, frame.getString("room"));
    return frame.getLong("seq");
  }
}
