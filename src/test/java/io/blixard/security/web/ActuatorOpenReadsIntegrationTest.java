package io.blixard.security.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.support.TestDirectories;
import io.blixard.support.TestOperator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@code blixard.security.read-access=open}: monitoring stacks read metrics and the strategy with
 * no token; changing the strategy still needs an operator.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureObservability
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ActuatorOpenReadsIntegrationTest {

  private static final Path DATA_DIR = TestDirectories.newDataDir("blixard-actuator-open-reads");

  @DynamicPropertySource
  static void nodeProperties(DynamicPropertyRegistry registry) {
    registry.add("blixard.node.data-dir", DATA_DIR::toString);
    registry.add("blixard.cluster.raft.port", () -> 0);
    registry.add("blixard.transport.grpc.port", () -> 0);
    registry.add("blixard.transport.quic.port", () -> 0);
    registry.add("blixard.security.read-access", () -> "open");
    TestOperator.register(registry);
  }

  @Autowired TestRestTemplate http;
  @Autowired MigrationStrategyHolder strategies;

  @Test
  void readsAreOpenAndWritesStillNeedAnOperator() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                http.getForEntity("/actuator/prometheus", String.class).getStatusCode().value()
                    == 200);
    assertThat(http.getForEntity("/actuator/transports", Map.class).getStatusCode().value())
        .isEqualTo(200);
    assertThat(http.getForEntity("/actuator/metrics", Map.class).getStatusCode().value())
        .isEqualTo(200);
    assertThat(http.getForEntity("/actuator", Map.class).getStatusCode().value()).isEqualTo(401);

    var before = strategies.versioned();
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    var post =
        http.exchange(
            "/actuator/transports",
            HttpMethod.POST,
            new HttpEntity<>("{\"service\":\"health\",\"quicShare\":50}", headers),
            Map.class);
    assertThat(post.getStatusCode().value()).isEqualTo(401);
    assertThat(
            http.exchange("/actuator/transports", HttpMethod.DELETE, null, Map.class)
                .getStatusCode()
                .value())
        .isEqualTo(401);
    assertThat(strategies.versioned()).isEqualTo(before);
  }
}
