package dev.switchboard.backend;

import dev.switchboard.cluster.ClusterNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/** The backend verticles of one cluster node: deploys {@code instances} of them, each on its own port, rooms on. */
public final class BackendNode {

  private final Vertx vertx;
  private final ClusterNode node;
  private final BackendOptions options;
  private final List<String> deployments = new ArrayList<>();
  private final List<BackendVerticle> backends = new ArrayList<>();

  public BackendNode(ClusterNode node, BackendOptions options) {
    this.vertx = node.vertx();
    this.node = node;
    this.options = new BackendOptions(options);
  }

  /** Deploys the configured number of backends, one after the other; completes when all are registered. */
  public Future<List<BackendVerticle>> start() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < options.getInstances(); i++) {
      int index = i;
      chain = chain.compose(v -> {
        BackendVerticle backend = new BackendVerticle(options, node, index);
        return vertx.deployVerticle(backend).map(id -> {
          deployments.add(id);
          backends.add(backend);
          return null;
        });
      });
    }
    return chain.map(v -> List.copyOf(backends));
  }

  /** Undeploys every backend: each leaves the registry before it closes. */
  public Future<Void> stop() {
    List<Future<Void>> undeployed = new ArrayList<>();
    deployments.forEach(id -> undeployed.add(vertx.undeploy(id)));
    deployments.clear();
    backends.clear();
    return Future.all(undeployed).mapEmpty();
  }
}
