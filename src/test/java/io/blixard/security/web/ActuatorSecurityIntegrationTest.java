package io.blixard.security.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.cli.BlixardCliAccess;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.node.NodeIdentity;
import io.blixard.security.OperatorIdentity;
import io.blixard.security.OperatorTokens;
import io.blixard.support.TestDirectories;
import io.blixard.support.TestOperator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The node's HTTP port from the outside, in secure mode: probes answer anyone; the strategy's
 * writes, its read, metrics and everything else answer only an operator's token, and every refusal
 * leaves the strategy as it was.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureObservability
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ActuatorSecurityIntegrationTest {

  private static final Path DATA_DIR = TestDirectories.newDataDir("blixard-actuator-security");
  private static final Path STRANGER_DIR = TestDirectories.newDataDir("blixard-stranger");
  private static final String CHANGE = "{\"service\":\"health\",\"quicShare\":50}";

  @DynamicPropertySource
  static void nodeProperties(DynamicPropertyRegistry registry) {
    registry.add("blixard.node.data-dir", DATA_DIR::toString);
    registry.add("blixard.cluster.raft.port", () -> 0);
    registry.add("blixard.transport.grpc.port", () -> 0);
    registry.add("blixard.transport.quic.port", () -> 0);
    TestOperator.register(registry);
  }

  @Autowired TestRestTemplate http;
  @Autowired MigrationStrategyHolder strategies;
  @Autowired MeterRegistry meters;
  @Autowired io.blixard.security.ClusterRoles roles;
  @LocalServerPort int port;

  @BeforeAll
  void ready() {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                http.getForEntity("/actuator/health/readiness", Map.class).getStatusCode().value()
                    == 200);
    // The operator is cluster state: written by the bootstrap, just after the first election.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> roles.isOperator(TestOperator.identity().nodeId()));
  }

  private int status(HttpMethod method, String path, String token) {
    HttpHeaders headers = new HttpHeaders();
    if (token != null) {
      headers.setBearerAuth(token);
    }
    return http.exchange(path, method, new HttpEntity<>(headers), String.class)
        .getStatusCode()
        .value();
  }

  private ResponseEntity<Map> call(HttpMethod method, String path, String token) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    if (token != null) {
      headers.setBearerAuth(token);
    }
    String body = method == HttpMethod.POST ? CHANGE : null;
    return http.exchange(path, method, new HttpEntity<>(body, headers), Map.class);
  }

  private double refusals(String reason) {
    Counter counter =
        meters
            .find("blixard.security.refusals")
            .tags("transport", "http", "reason", reason)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  /** Every protected call with {@code token} answers {@code status} and changes nothing. */
  private void assertRefused(String token, int status, String reason, String error) {
    var before = strategies.versioned();
    double counted = refusals(reason);
    for (HttpMethod method :
        new HttpMethod[] {HttpMethod.POST, HttpMethod.DELETE, HttpMethod.GET}) {
      ResponseEntity<Map> response = call(method, "/actuator/transports", token);
      assertThat(response.getStatusCode().value()).as(method.name()).isEqualTo(status);
      assertThat(response.getHeaders().getFirst(HttpHeaders.WWW_AUTHENTICATE)).startsWith("Bearer");
      assertThat((String) response.getBody().get("error"))
          .startsWith(method.name() + " /actuator/transports: ")
          .contains(error)
          .doesNotContain("\n")
          .doesNotContain("Exception");
    }
    for (String path :
        new String[] {"/actuator/prometheus", "/actuator/metrics", "/actuator", "/"}) {
      assertThat(status(HttpMethod.GET, path, token)).as(path).isEqualTo(status);
    }
    assertThat(strategies.versioned()).isEqualTo(before);
    assertThat(refusals(reason)).isEqualTo(counted + 7);
  }

  @Test
  void probesAndInfoAnswerWithoutATokenAndShowDetailsOnlyToOperators() {
    for (String path :
        new String[] {
          "/actuator/health",
          "/actuator/health/liveness",
          "/actuator/health/readiness",
          "/actuator/info"
        }) {
      ResponseEntity<Map> response = call(HttpMethod.GET, path, null);
      assertThat(response.getStatusCode().value()).as(path).isEqualTo(200);
    }
    assertThat(call(HttpMethod.GET, "/actuator/health", null).getBody())
        .containsEntry("status", "UP")
        .doesNotContainKey("components");
    assertThat(call(HttpMethod.GET, "/actuator/health", TestOperator.token()).getBody())
        .containsKey("components");
    assertThat(call(HttpMethod.GET, "/actuator/health/readiness", TestOperator.token()).getBody())
        .containsKey("components");
  }

  @Test
  void withoutATokenEveryOtherCallIs401() {
    assertRefused(null, 401, "unauthenticated", "no bearer token (expected: Authorization: Bearer");
  }

  @Test
  void aValidTokenOfAKeyThatIsNoOperatorIs403() {
    NodeIdentity stranger = OperatorIdentity.loadOrCreate(STRANGER_DIR);
    String token = OperatorTokens.issue(stranger, Duration.ofMinutes(1), Clock.systemUTC());
    assertRefused(
        token,
        403,
        "forbidden",
        "node id " + stranger.nodeId() + " is not an operator of this cluster");
  }

  @Test
  void anExpiredOperatorTokenIs401() {
    Clock past = Clock.fixed(Instant.now().minus(Duration.ofMinutes(10)), ZoneOffset.UTC);
    String token = OperatorTokens.issue(TestOperator.identity(), Duration.ofMinutes(1), past);
    assertRefused(token, 401, "expired", "the bearer token expired at");
  }

  @Test
  void aTamperedOperatorTokenIs401() {
    String[] parts = TestOperator.token().split("\\.");
    String stranger =
        OperatorTokens.issue(
                OperatorIdentity.loadOrCreate(STRANGER_DIR),
                Duration.ofMinutes(1),
                Clock.systemUTC())
            .split("\\.")[2];
    // The operator's header and claims with another key's signature.
    assertRefused(
        parts[0] + "." + parts[1] + "." + stranger, 401, "bad_token", "signature does not verify");
    // A claim changed after signing.
    String claims =
        new String(Base64.getUrlDecoder().decode(parts[1]))
            .replace("\"aud\":\"blixard\"", "\"aud\":\"blixard\",\"x\":1");
    String forged =
        parts[0]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(claims.getBytes())
            + "."
            + parts[2];
    assertRefused(forged, 401, "bad_token", "signature does not verify");
    assertRefused("not-a-jwt", 401, "bad_token", "not a signed JWT");
  }

  @Test
  void anOperatorTokenReadsMetricsAndChangesAndResetsTheStrategy() {
    assertThat(status(HttpMethod.GET, "/actuator/prometheus", TestOperator.token())).isEqualTo(200);
    ResponseEntity<Map> changed =
        call(HttpMethod.POST, "/actuator/transports", TestOperator.token());
    assertThat(changed.getStatusCode().value()).isEqualTo(200);
    assertThat(strategies.strategy().quicSharePercent("health")).isEqualTo(50);
    assertThat(
            call(HttpMethod.GET, "/actuator/transports", TestOperator.token())
                .getStatusCode()
                .value())
        .isEqualTo(200);
    assertThat(
            call(HttpMethod.DELETE, "/actuator/transports", TestOperator.token())
                .getStatusCode()
                .value())
        .isEqualTo(200);
    assertThat(strategies.strategy()).isEqualTo(strategies.configured());
  }

  @Test
  void theCliSignsAsTheOperatorAndSaysInOneLineWhenTheKeyIsNoOperators() {
    String node = "--http=127.0.0.1:" + port;
    String[] set =
        BlixardCliAccess.run(
            TestOperator.cli(
                "strategy",
                "set",
                "--this-node",
                node,
                "--service",
                "health",
                "--quic-share",
                "25"));
    assertThat(set[0]).as(set[2]).isEqualTo("0");
    assertThat(strategies.strategy().quicSharePercent("health")).isEqualTo(25);
    String[] reset = BlixardCliAccess.run(TestOperator.cli("strategy", "reset", node));
    assertThat(reset[0]).as(reset[2]).isEqualTo("0");

    var before = strategies.versioned();
    String[] refused =
        BlixardCliAccess.run(
            "strategy",
            "set",
            "--this-node",
            node,
            "--service",
            "health",
            "--quic-share",
            "25",
            "--operator-dir",
            STRANGER_DIR.toString());
    assertThat(refused[0]).isEqualTo("1");
    assertThat(refused[2].strip())
        .startsWith("blixard: the node refused the call: POST /actuator/transports: node id ")
        .contains("is not an operator of this cluster")
        .doesNotContain("\n");
    assertThat(strategies.versioned()).isEqualTo(before);
  }

  @Test
  void operatorTokenPrintsABearerThatCurlCanUse() {
    String[] printed = BlixardCliAccess.run(TestOperator.cli("operator", "token", "--ttl", "2m"));
    assertThat(printed[0]).as(printed[2]).isEqualTo("0");
    String token = printed[1].strip();
    assertThat(OperatorTokens.verify(token, Clock.systemUTC()))
        .isEqualTo(TestOperator.identity().nodeId());
    assertThat(status(HttpMethod.GET, "/actuator/prometheus", token)).isEqualTo(200);

    String[] tooLong = BlixardCliAccess.run(TestOperator.cli("operator", "token", "--ttl", "1h"));
    assertThat(tooLong[0]).isEqualTo("2");
    assertThat(tooLong[2].strip())
        .isEqualTo(
            "blixard: --ttl 1h (expected: more than 0 and at most 5m, the longest a node accepts)");
  }
}
