package dev.switchboard.it;

import dev.switchboard.backend.BackendMain;
import dev.switchboard.backend.BackendOptions;
import dev.switchboard.backend.BackendVerticle;
import dev.switchboard.cluster.CommandLine;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * deploy/k8s cannot be applied without a cluster, so check what can be checked: the kustomize base
 * lists every manifest and they parse; every container runs a shipped jar with options its launcher
 * accepts (environment included); probes hit the health endpoints on declared ports; backends are lite
 * members with a preStop drain inside their grace period and advertise their node's address on host
 * ports; coordinators find each other through the headless Service; secrets come from one Secret; PDBs
 * select real pods. {@code kubectl kustomize} also builds it where kubectl exists.
 */
class KubernetesManifestsTest {

  private static final Path K8S = ComposeFileTest.ROOT.resolve("deploy/k8s");
  private static final String SECRET = "switchboard";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return o == null ? List.of() : (List<Object>) o;
  }

  private static Object at(Object o, String... path) {
    for (String key : path) {
      o = map(o).get(key);
    }
    return o;
  }

  /** Every document of every resource the kustomization lists, keyed by kind/name. */
  private static Map<String, Map<String, Object>> resources() throws Exception {
    Map<String, Object> kustomization = new Yaml().load(Files.readString(K8S.resolve("kustomization.yaml")));
    Map<String, Map<String, Object>> out = new HashMap<>();
    Set<String> files = new HashSet<>();
    for (Object file : list(kustomization.get("resources"))) {
      files.add(String.valueOf(file));
      for (Object doc : new Yaml().loadAll(Files.readString(K8S.resolve(String.valueOf(file))))) {
        Map<String, Object> resource = map(doc);
        assertNotNull(resource.get("apiVersion"), file + ": apiVersion");
        out.put(resource.get("kind") + "/" + at(resource, "metadata", "name"), resource);
      }
    }
    try (var listing = Files.list(K8S)) {
      Set<String> yaml = new HashSet<>(listing.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).toList());
      assertEquals(yaml, files, "the kustomization lists every manifest");
    }
    return out;
  }

  /** A container's environment as the kubelet would give it, with stand-ins for the downward API and the Secret. */
  private static Map<String, String> environment(Map<String, Object> container) {
    Map<String, String> env = new HashMap<>();
    for (Object e : list(container.get("env"))) {
      Map<String, Object> var = map(e);
      String name = String.valueOf(var.get("name"));
      if (var.containsKey("value")) {
        env.put(name, String.valueOf(var.get("value")));
        continue;
      }
      Object field = at(var, "valueFrom", "fieldRef", "fieldPath");
      Map<String, Object> secret = map(at(var, "valueFrom", "secretKeyRef"));
      if ("status.podIP".equals(field)) {
        env.put(name, "192.0.2.10");
      } else if ("status.hostIP".equals(field)) {
        env.put(name, "198.51.100.7");
      } else if (SECRET.equals(secret.get("name"))) {
        assertTrue(Set.of("cluster-secret", "admin-token").contains(secret.get("key")), "a key of the Secret: " + secret);
        env.put(name, "0123456789abcdef0123456789abcdef");
      } else {
        throw new AssertionError("env " + name + " comes from an unknown source: " + var);
      }
    }
    return env;
  }

  private static Map<String, Object> podSpec(Map<String, Object> workload) {
    return map(at(workload, "spec", "template", "spec"));
  }

  private static Map<String, Object> container(Map<String, Object> workload) {
    List<Object> containers = list(podSpec(workload).get("containers"));
    assertEquals(1, containers.size());
    return map(containers.get(0));
  }

  private static List<String> args(Map<String, Object> container) {
    return list(container.get("args")).stream().map(String::valueOf).toList();
  }

  private static CommandLine.Values launch(Map<String, Object> container) {
    List<String> args = args(container);
    return Launchers.check(args.get(0), args.subList(1, args.size()), environment(container));
  }

  /** containerPort of a named or numbered port of {@code container}. */
  private static int port(Map<String, Object> container, Object ref) {
    for (Object p : list(container.get("ports"))) {
      Map<String, Object> port = map(p);
      if (ref.equals(port.get("name")) || ref.equals(port.get("containerPort"))) {
        return ((Number) port.get("containerPort")).intValue();
      }
    }
    throw new AssertionError("no port " + ref + " in " + container.get("ports"));
  }

  @Test
  void everyContainerRunsAShippedJarWithValidOptionsAndProbesItsHealthEndpoints() throws Exception {
    int workloads = 0;
    for (Map<String, Object> resource : resources().values()) {
      if (!Set.of("Deployment", "StatefulSet").contains(resource.get("kind"))) {
        continue;
      }
      workloads++;
      Map<String, Object> container = container(resource);
      assertEquals("switchboard:dev", container.get("image"));
      assertTrue(container.get("command") == null, "the image's entrypoint runs java -jar; args name the jar");
      CommandLine.Values values = launch(container);
      int served = args(container).get(0).equals(Launchers.COORDINATOR) ? values.getInt("port") : values.getInt("port-base");
      assertEquals(BackendVerticle.HEALTH_READY, at(container, "readinessProbe", "httpGet", "path"));
      assertEquals(BackendVerticle.HEALTH_LIVE, at(container, "livenessProbe", "httpGet", "path"));
      assertEquals(served, port(container, at(container, "readinessProbe", "httpGet", "port")));
      assertEquals(served, port(container, at(container, "livenessProbe", "httpGet", "port")));
      assertNotNull(at(container, "resources", "requests", "cpu"));
      assertNotNull(at(container, "resources", "requests", "memory"));
      assertEquals(values.clusterOptions().getPort(), port(container, "hazelcast"));
    }
    assertEquals(2, workloads);
  }

  @Test
  void coordinatorsAreDataMembersFoundThroughTheHeadlessService() throws Exception {
    Map<String, Map<String, Object>> all = resources();
    Map<String, Object> coordinators = all.get("StatefulSet/switchboard-coordinator");
    Map<String, Object> headless = all.get("Service/switchboard-hazelcast");
    assertEquals("None", at(headless, "spec", "clusterIP"));
    assertEquals(true, at(headless, "spec", "publishNotReadyAddresses"));
    assertEquals(at(coordinators, "spec", "serviceName"), at(headless, "metadata", "name"));
    assertEquals(at(coordinators, "spec", "template", "metadata", "labels"), at(headless, "spec", "selector"));
    for (Map<String, Object> workload : List.of(coordinators, all.get("Deployment/switchboard-backend"))) {
      CommandLine.Values values = launch(container(workload));
      assertEquals(at(headless, "metadata", "name"), values.clusterOptions().getDnsDiscovery());
      assertEquals("192.0.2.10", values.clusterOptions().getHost(), "Hazelcast binds the pod's address");
      assertNotNull(values.clusterOptions().getSecret());
    }
    Map<String, Object> port = map(list(at(headless, "spec", "ports")).get(0));
    assertEquals(5701, port(container(coordinators), port.get("targetPort")));
    Map<String, Object> http = all.get("Service/switchboard-coordinator");
    assertEquals(launch(container(coordinators)).getInt("port"),
        port(container(coordinators), map(list(at(http, "spec", "ports")).get(0)).get("targetPort")));
  }

  @Test
  void backendsDrainBeforeTheyStopAndAdvertiseTheirNodesAddressOnHostPorts() throws Exception {
    Map<String, Object> backends = resources().get("Deployment/switchboard-backend");
    Map<String, Object> container = container(backends);
    CommandLine.Values values = launch(container);
    BackendOptions options = BackendMain.options(values);
    assertEquals("198.51.100.7", options.getPublicHost(), "records carry the node's address");
    long grace = ((Number) podSpec(backends).get("terminationGracePeriodSeconds")).longValue() * 1000;
    assertTrue(grace > options.getDrainMs() + 30_000, "grace " + grace + " ms covers the drain and the bounded leave");
    List<String> preStop = list(at(container, "lifecycle", "preStop", "exec", "command")).stream().map(String::valueOf).toList();
    assertTrue(String.join(" ", preStop).contains("kill -TERM 1"), "preStop starts the drain: " + preStop);
    for (int i = 0; i < options.getInstances(); i++) {
      boolean found = false;
      for (Object p : list(container.get("ports"))) {
        Map<String, Object> port = map(p);
        if (Integer.valueOf(options.getPortBase() + i).equals(port.get("containerPort"))) {
          assertEquals(port.get("containerPort"), port.get("hostPort"), "backend " + i + " on the same host port");
          found = true;
        }
      }
      assertTrue(found, "backend " + i + "'s port " + (options.getPortBase() + i) + " is declared");
    }
  }

  @Test
  void disruptionBudgetsSelectTheirPods() throws Exception {
    Map<String, Map<String, Object>> all = resources();
    int budgets = 0;
    for (Map<String, Object> resource : all.values()) {
      if (!"PodDisruptionBudget".equals(resource.get("kind"))) {
        continue;
      }
      budgets++;
      Map<String, Object> selector = map(at(resource, "spec", "selector", "matchLabels"));
      assertTrue(all.values().stream().filter(r -> Set.of("Deployment", "StatefulSet").contains(r.get("kind")))
          .anyMatch(r -> map(at(r, "spec", "template", "metadata", "labels")).entrySet().containsAll(selector.entrySet())),
          "a workload's pods match " + selector);
    }
    assertEquals(2, budgets);
  }

  @Test
  void kubectlKustomizeBuildsTheBaseWhereKubectlIsPresent() throws Exception {
    assumeTrue(ComposeFileTest.succeeds(List.of("kubectl", "version", "--client")), "no kubectl here");
    Process p = new ProcessBuilder(new ArrayList<>(List.of("kubectl", "kustomize", K8S.toString())))
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertEquals(6, countDocuments(out), "two Services, a StatefulSet, a Deployment, two PodDisruptionBudgets");
  }

  private static int countDocuments(String yaml) {
    int n = 0;
    for (Object ignored : new Yaml().loadAll(yaml)) {
      n++;
    }
    return n;
  }
}
