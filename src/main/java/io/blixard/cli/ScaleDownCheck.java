package io.blixard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Whether a StatefulSet's pod is being removed by a scale-down, as its preStop hook asks before the
 * node leaves the Raft group. A scale-down lowers the StatefulSet's {@code spec.replicas} first,
 * then deletes the pods whose ordinal is at or above it; a restart, an eviction, a rolling update
 * or a drain deletes a pod whose ordinal stays below it; deleting the StatefulSet (helm uninstall)
 * marks it for deletion or removes it. Only the first is a reason to leave, and the pod cannot tell
 * which it is from its own spec: its template is the same in all of them (in a rolling update with
 * a scale-down the pod even carries the old one). So it asks the API server, with the pod's service
 * account, which may read this one StatefulSet only.
 */
final class ScaleDownCheck {

  /** Where Kubernetes mounts a pod's service account. */
  static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What the hook does and why, in a line.
   *
   * @param leave whether the node leaves
   */
  record Decision(boolean leave, String reason) {}

  private final HttpClient client;
  private final URI api;
  private final String token;
  private final String namespace;

  ScaleDownCheck(HttpClient client, URI api, String token, String namespace) {
    this.client = client;
    this.api = api;
    this.token = token;
    this.namespace = namespace;
  }

  /** The check from inside a pod: its service account, the API server's in-cluster address. */
  static ScaleDownCheck inCluster(Map<String, String> env, Path serviceAccount) {
    Path tokenFile = serviceAccount.resolve("token");
    if (!Files.isReadable(tokenFile)) {
      throw new StrategyCommand.RefusedException(
          "no service account token at "
              + tokenFile
              + " (expected: a pod with automountServiceAccountToken, as the chart gives it when"
              + " leaveOnScaleDown.enabled is true); not leaving");
    }
    try {
      String host = env.getOrDefault("KUBERNETES_SERVICE_HOST", "kubernetes.default.svc");
      String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
      URI api =
          URI.create("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
      HttpClient client =
          HttpClient.newBuilder()
              .connectTimeout(TIMEOUT)
              .sslContext(trusting(serviceAccount.resolve("ca.crt")))
              .build();
      return new ScaleDownCheck(
          client,
          api,
          Files.readString(tokenFile).trim(),
          Files.readString(serviceAccount.resolve("namespace")).trim());
    } catch (IOException | GeneralSecurityException e) {
      throw new StrategyCommand.RefusedException(
          "cannot read the pod's service account in "
              + serviceAccount
              + ": "
              + e
              + "; not leaving");
    }
  }

  /** Asks the API server about {@code statefulSet} and decides for {@code pod}. */
  Decision check(String statefulSet, String pod) {
    int ordinal = ordinal(statefulSet, pod);
    URI uri = api.resolve("/apis/apps/v1/namespaces/" + namespace + "/statefulsets/" + statefulSet);
    HttpResponse<String> response;
    try {
      response =
          client.send(
              HttpRequest.newBuilder(uri)
                  .timeout(TIMEOUT)
                  .header("Authorization", "Bearer " + token)
                  .header("Accept", "application/json")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new StrategyCommand.UnreachableException(
          "cannot ask the Kubernetes API at "
              + api
              + " about "
              + statefulSet
              + ": "
              + e
              + "; not leaving");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StrategyCommand.UnreachableException("interrupted; not leaving");
    }
    if (response.statusCode() == 404) {
      return decide(pod, ordinal, OptionalInt.empty(), true);
    }
    if (response.statusCode() != 200) {
      throw new StrategyCommand.RefusedException(
          "the Kubernetes API answered "
              + response.statusCode()
              + " for statefulset "
              + namespace
              + "/"
              + statefulSet
              + " (expected: 200; the pod's service account needs get on it); not leaving");
    }
    JsonNode set;
    try {
      set = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new StrategyCommand.RefusedException(
          "the Kubernetes API's answer is not JSON: " + e.getMessage() + "; not leaving");
    }
    JsonNode replicas = set.path("spec").path("replicas");
    boolean deleting = !set.path("metadata").path("deletionTimestamp").isMissingNode();
    // An absent spec.replicas means 1, as in the API's defaulting.
    return decide(pod, ordinal, OptionalInt.of(replicas.isInt() ? replicas.asInt() : 1), deleting);
  }

  /**
   * The decision for the pod with {@code ordinal}, given the StatefulSet's replicas (empty: it is
   * gone) and whether it is being deleted.
   */
  static Decision decide(String pod, int ordinal, OptionalInt replicas, boolean deleting) {
    if (replicas.isEmpty() || deleting) {
      return new Decision(
          false,
          "the StatefulSet is being deleted, not scaled down: pod " + pod + " stays a member");
    }
    if (replicas.getAsInt() == 0) {
      // Every pod goes: the cluster is stopped, not shrunk, and comes back with its members.
      return new Decision(
          false,
          "the StatefulSet is scaled to 0, a stop of the whole cluster: pod "
              + pod
              + " stays a member");
    }
    if (ordinal >= replicas.getAsInt()) {
      return new Decision(
          true,
          "the StatefulSet is scaled down to "
              + replicas.getAsInt()
              + " replicas: pod "
              + pod
              + " (ordinal "
              + ordinal
              + ") leaves the group");
    }
    return new Decision(
        false,
        "pod "
            + pod
            + " (ordinal "
            + ordinal
            + ") is within the StatefulSet's "
            + replicas.getAsInt()
            + " replicas: a restart, not a scale-down; it stays a member");
  }

  /** The ordinal of a StatefulSet's pod: its name is {@code <statefulset>-<ordinal>}. */
  static int ordinal(String statefulSet, String pod) {
    String prefix = statefulSet + "-";
    if (pod == null || !pod.startsWith(prefix) || !pod.substring(prefix.length()).matches("\\d+")) {
      throw new IllegalArgumentException(
          "--pod "
              + pod
              + " (expected: "
              + prefix
              + "<ordinal>, a pod of statefulset "
              + statefulSet
              + ")");
    }
    return Integer.parseInt(pod.substring(prefix.length()));
  }

  private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
