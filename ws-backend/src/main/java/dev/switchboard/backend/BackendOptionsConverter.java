package dev.switchboard.backend;

import io.vertx.core.json.JsonObject;

/** {@link BackendOptions} to and from JSON, in the manner of Vert.x's generated options converters. */
final class BackendOptionsConverter {

  private BackendOptionsConverter() {
  }

  /** Sets on {@code options} every member {@code json} has; the others keep their defaults. */
  static void fromJson(JsonObject json, BackendOptions options) {
    if (json.getValue("instances") != null) {
      options.setInstances(json.getInteger("instances"));
    }
    if (json.getValue("portBase") != null) {
      options.setPortBase(json.getInteger("portBase"));
    }
    if (json.getValue("host") != null) {
      options.setHost(json.getString("host"));
    }
    if (json.getValue("publicHost") != null) {
      options.setPublicHost(json.getString("publicHost"));
    }
    if (json.getValue("service") != null) {
      options.setService(json.getString("service"));
    }
    if (json.getValue("zone") != null) {
      options.setZone(json.getString("zone"));
    }
    if (json.getValue("capacity") != null) {
      options.setCapacity(json.getInteger("capacity"));
    }
    if (json.getValue("weight") != null) {
      options.setWeight(json.getInteger("weight"));
    }
    if (json.getValue("heartbeatMs") != null) {
      options.setHeartbeatMs(json.getLong("heartbeatMs"));
    }
    if (json.getValue("loadReportMs") != null) {
      options.setLoadReportMs(json.getLong("loadReportMs"));
    }
    if (json.getValue("maxFrameBytes") != null) {
      options.setMaxFrameBytes(json.getInteger("maxFrameBytes"));
    }
    if (json.getValue("livenessIntervalMs") != null) {
      options.setLivenessIntervalMs(json.getLong("livenessIntervalMs"));
    }
    if (json.getValue("refreshMs") != null) {
      options.setRefreshMs(json.getLong("refreshMs"));
    }
    if (json.getValue("messagesPerSecond") != null) {
      options.setMessagesPerSecond(json.getInteger("messagesPerSecond"));
    }
    if (json.getValue("messageBurst") != null) {
      options.setMessageBurst(json.getInteger("messageBurst"));
    }
    if (json.getValue("abuseLimit") != null) {
      options.setAbuseLimit(json.getInteger("abuseLimit"));
    }
    if (json.getValue("pingIntervalMs") != null) {
      options.setPingIntervalMs(json.getLong("pingIntervalMs"));
    }
    if (json.getValue("headerTimeoutMs") != null) {
      options.setHeaderTimeoutMs(json.getLong("headerTimeoutMs"));
    }
    if (json.getValue("drainMs") != null) {
      options.setDrainMs(json.getLong("drainMs"));
    }
    if (json.getValue("rebalance") != null) {
      options.setRebalance(json.getBoolean("rebalance"));
    }
    if (json.getValue("rebalanceIntervalMs") != null) {
      options.setRebalanceIntervalMs(json.getLong("rebalanceIntervalMs"));
    }
    if (json.getValue("rebalanceThreshold") != null) {
      options.setRebalanceThreshold(json.getDouble("rebalanceThreshold"));
    }
    if (json.getValue("rebalanceDeadlineMs") != null) {
      options.setRebalanceDeadlineMs(json.getLong("rebalanceDeadlineMs"));
    }
    if (json.getValue("rebalanceHoldDownMs") != null) {
      options.setRebalanceHoldDownMs(json.getLong("rebalanceHoldDownMs"));
    }
    if (json.getValue("ticketSecret") != null) {
      options.setTicketSecret(json.getString("ticketSecret"));
    }
    if (json.getValue("ticketPublicKey") != null) {
      options.setTicketPublicKey(json.getString("ticketPublicKey"));
    }
    if (json.getValue("ticketJwks") != null) {
      options.setTicketJwks(json.getString("ticketJwks"));
    }
    if (json.getValue("allowedOrigins") != null) {
      options.setAllowedOrigins(json.getString("allowedOrigins"));
    }
    if (json.getValue("maxRoomsPerConnection") != null) {
      options.setMaxRoomsPerConnection(json.getInteger("maxRoomsPerConnection"));
    }
    if (json.getValue("maxRoomsPerNode") != null) {
      options.setMaxRoomsPerNode(json.getInteger("maxRoomsPerNode"));
    }
    if (json.getValue("roomTtlMs") != null) {
      options.setRoomTtlMs(json.getLong("roomTtlMs"));
    }
    if (json.getValue("maxOutboundBytes") != null) {
      options.setMaxOutboundBytes(json.getLong("maxOutboundBytes"));
    }
    if (json.getValue("tlsCert") != null) {
      options.setTlsCert(json.getString("tlsCert"));
    }
    if (json.getValue("tlsKey") != null) {
      options.setTlsKey(json.getString("tlsKey"));
    }
  }

  static JsonObject toJson(BackendOptions options) {
    return new JsonObject()
        .put("instances", options.getInstances())
        .put("portBase", options.getPortBase())
        .put("host", options.getHost())
        .put("publicHost", options.getPublicHost())
        .put("service", options.getService())
        .put("zone", options.getZone())
        .put("capacity", options.getCapacity())
        .put("weight", options.getWeight())
        .put("heartbeatMs", options.getHeartbeatMs())
        .put("loadReportMs", options.getLoadReportMs())
        .put("maxFrameBytes", options.getMaxFrameBytes())
        .put("livenessIntervalMs", options.getLivenessIntervalMs())
        .put("refreshMs", options.getRefreshMs())
        .put("messagesPerSecond", options.getMessagesPerSecond())
        .put("messageBurst", options.getMessageBurst())
        .put("abuseLimit", options.getAbuseLimit())
        .put("pingIntervalMs", options.getPingIntervalMs())
        .put("headerTimeoutMs", options.getHeaderTimeoutMs())
        .put("drainMs", options.getDrainMs())
        .put("rebalance", options.isRebalance())
        .put("rebalanceIntervalMs", options.getRebalanceIntervalMs())
        .put("rebalanceThreshold", options.getRebalanceThreshold())
        .put("rebalanceDeadlineMs", options.getRebalanceDeadlineMs())
        .put("rebalanceHoldDownMs", options.getRebalanceHoldDownMs())
        .put("ticketSecret", options.getTicketSecret())
        .put("ticketPublicKey", options.getTicketPublicKey())
        .put("ticketJwks", options.getTicketJwks())
        .put("allowedOrigins", options.getAllowedOrigins())
        .put("maxRoomsPerConnection", options.getMaxRoomsPerConnection())
        .put("maxRoomsPerNode", options.getMaxRoomsPerNode())
        .put("roomTtlMs", options.getRoomTtlMs())
        .put("maxOutboundBytes", options.getMaxOutboundBytes())
        .put("tlsCert", options.getTlsCert())
        .put("tlsKey", options.getTlsKey());
  }
}
