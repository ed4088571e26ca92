package io.blixard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The preStop hook's question to the Kubernetes API, against a stand-in API server: a pod leaves
 * only when its StatefulSet's replicas dropped to its ordinal or below, never on a restart, when
 * the StatefulSet is deleted or gone, or when the API cannot say.
 */
@Timeout(30)
class ScaleDownCheckTest {

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private ScaleDownCheck api(int status, String body) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.add(
              exchange.getRequestURI().getPath()
                  + " "
                  + exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.start();
    return new ScaleDownCheck(
        HttpClient.newHttpClient(),
        URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        "sa-token",
        "blixard");
  }

  @Test
  void aPodAtOrAboveTheNewReplicasLeaves() throws IOException {
    ScaleDownCheck.Decision d =
        api(200, "{\"metadata\":{\"name\":\"blix\"},\"spec\":{\"replicas\":2}}")
            .check("blix", "blix-2");
    assertThat(d.leave()).isTrue();
    assertThat(d.reason())
        .isEqualTo(
            "the StatefulSet is scaled down to 2 replicas: pod blix-2 (ordinal 2) leaves the group");
    assertThat(requests)
        .containsExactly("/apis/apps/v1/namespaces/blixard/statefulsets/blix Bearer sa-token");
  }

  @Test
  void aPodWithinTheReplicasStaysOnARestartOrAnUpgrade() throws IOException {
    ScaleDownCheck.Decision d = api(200, "{\"spec\":{\"replicas\":3}}").check("blix", "blix-2");
    assertThat(d.leave()).isFalse();
    assertThat(d.reason()).contains("a restart, not a scale-down; it stays a member");
  }

  @Test
  void scalingToZeroStopsTheClusterWithItsMembers() throws IOException {
    ScaleDownCheck.Decision d = api(200, "{\"spec\":{\"replicas\":0}}").check("blix", "blix-0");
    assertThat(d.leave()).isFalse();
    assertThat(d.reason())
        .isEqualTo(
            "the StatefulSet is scaled to 0, a stop of the whole cluster: pod blix-0 stays a member");
  }

  @Test
  void aDeletedOrGoneStatefulSetIsNoScaleDown() throws IOException {
    assertThat(
            api(
                    200,
                    "{\"metadata\":{\"deletionTimestamp\":\"2026-12-03T10:00:00Z\"},"
                        + "\"spec\":{\"replicas\":3}}")
                .check("blix", "blix-0")
                .leave())
        .isFalse();
    stop();
    assertThat(api(404, "{}").check("blix", "blix-0").reason())
        .contains("being deleted, not scaled down");
  }

  @Test
  void whenTheApiCannotSayTheNodeDoesNotLeave() throws IOException {
    assertThatThrownBy(() -> api(403, "{\"reason\":\"Forbidden\"}").check("blix", "blix-1"))
        .hasMessageContaining("answered 403")
        .hasMessageEndingWith("not leaving");
    stop();
    assertThatThrownBy(
            () ->
                new ScaleDownCheck(
                        HttpClient.newHttpClient(), URI.create("http://127.0.0.1:1"), "t", "ns")
                    .check("blix", "blix-1"))
        .hasMessageContaining("cannot ask the Kubernetes API")
        .hasMessageEndingWith("not leaving");
    assertThatThrownBy(
            () -> ScaleDownCheck.inCluster(Map.of(), java.nio.file.Path.of("/nonexistent")))
        .hasMessageContaining("no service account token");
  }

  @Test
  void theOrdinalIsThePodNamesSuffix() {
    assertThat(ScaleDownCheck.ordinal("blix-blixard", "blix-blixard-12")).isEqualTo(12);
    assertThatThrownBy(() -> ScaleDownCheck.ordinal("blix-blixard", "other-0"))
        .hasMessage(
            "--pod other-0 (expected: blix-blixard-<ordinal>, a pod of statefulset blix-blixard)");
  }
}
