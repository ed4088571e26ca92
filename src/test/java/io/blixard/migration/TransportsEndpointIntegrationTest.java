package io.blixard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.status.v1.GetRaftStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.proto.transport.v1.GetTransportInfoRequest;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.support.SingleNodeTestSupport;
import io.blixard.support.TestOperator;
import io.blixard.transport.Transport;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** {@code /actuator/transports} and {@code GetTransportInfo} on a running node. */
@SuppressWarnings("unchecked")
class TransportsEndpointIntegrationTest extends SingleNodeTestSupport {

  @Autowired TestRestTemplate http;
  @Autowired MigrationStrategyHolder strategies;

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }

  @AfterEach
  void resetStrategy() {
    delete();
  }

  private ResponseEntity<Map> post(String json) {
    return http.exchange(
        "/actuator/transports",
        HttpMethod.POST,
        new HttpEntity<>(json, TestOperator.headers()),
        Map.class);
  }

  private Map<String, Object> get() {
    return http.exchange(
            "/actuator/transports",
            HttpMethod.GET,
            new HttpEntity<>(TestOperator.headers()),
            Map.class)
        .getBody();
  }

  private void delete() {
    http.exchange(
        "/actuator/transports",
        HttpMethod.DELETE,
        new HttpEntity<>(TestOperator.headers()),
        Map.class);
  }

  private Map<String, Object> service(Map<String, Object> body, String name) {
    return (Map<String, Object>) ((Map<String, Object>) body.get("services")).get(name);
  }

  @Test
  void getShowsModeStrategyServedTransportsAndPerTransportCalls() {
    HealthServiceGrpc.newBlockingStub(channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(CheckRequest.getDefaultInstance());
    Map<String, Object> body = get();
    assertThat(body).containsEntry("mode", "dual");
    assertThat((Map<String, Object>) body.get("strategy"))
        .containsEntry("raftTransport", "always-grpc")
        .containsEntry("fallbackToGrpc", true);
    Map<String, Object> health = service(body, "health");
    assertThat((List<String>) health.get("servedOn")).containsExactly("grpc", "quic");
    assertThat(health).containsEntry("quicSharePercent", 0);
    Map<String, Object> grpc = (Map<String, Object>) health.get("grpc");
    assertThat(((Number) grpc.get("calls")).longValue()).isPositive();
    assertThat(grpc.get("p50Millis")).isNotNull();
    assertThat(grpc.get("p99Millis")).isNotNull();
    assertThat(((Map<String, Object>) body.get("services")))
        .containsKeys("health", "status", "monitoring", "blixard.transport.v1.TransportService");
  }

  @Test
  void aWriteChangesTheStrategyAtRunTimeAndIsVersioned() {
    ResponseEntity<Map> response = post("{\"service\":\"health\",\"quicShare\":50}");
    assertThat(response.getStatusCode().value()).isEqualTo(200);
    assertThat(service(response.getBody(), "health")).containsEntry("quicSharePercent", 50);
    assertThat(strategies.strategy().quicSharePercent("health")).isEqualTo(50);
    Map<String, Object> version = (Map<String, Object>) response.getBody().get("strategyVersion");
    assertThat(version)
        .containsEntry("changedBy", "actuator")
        .containsEntry("change", "health quic-share 50%");

    post("{\"service\":\"status\",\"preferQuic\":true}");
    var info =
        TransportServiceGrpc.newBlockingStub(channel())
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .getTransportInfo(GetTransportInfoRequest.getDefaultInstance());
    assertThat(info.getStrategy().getQuicShareMap()).containsEntry("health", 50);
    assertThat(info.getStrategy().getPreferQuicForList()).containsExactly("status");
    // An override of this node's: the cluster's version stays what it was.
    assertThat(info.getStrategy().getSource()).isEqualTo("override");
    assertThat(info.getStrategy().getVersion()).isEqualTo(strategies.cluster().version());
    assertThat(info.getGrpcTls()).as("gRPC speaks TLS by default").isTrue();

    delete();
    assertThat(strategies.strategy()).isEqualTo(strategies.configured());
  }

  @Test
  void anInvalidWriteIsRejectedWithWhatWasExpectedAndChangesNothing() {
    var before = strategies.versioned();
    ResponseEntity<Map> unknown = post("{\"service\":\"http3\",\"quicShare\":50}");
    assertThat(unknown.getStatusCode().value()).isEqualTo(400);
    assertThat(unknown.getBody())
        .containsEntry(
            "error",
            "service: unknown service \"http3\" (expected one of [health, status, monitoring, vm,"
                + " raft])");
    ResponseEntity<Map> share = post("{\"service\":\"health\",\"quicShare\":150}");
    assertThat(share.getStatusCode().value()).isEqualTo(400);
    assertThat(share.getBody())
        .containsEntry("error", "quic-share.health: 150 (expected: 0 to 100)");
    ResponseEntity<Map> nothing = post("{\"service\":\"health\"}");
    assertThat(nothing.getStatusCode().value()).isEqualTo(400);
    assertThat(strategies.versioned()).isEqualTo(before);
  }

  @Test
  void onlyJsonBooleansAreBooleans() {
    var before = strategies.versioned();
    Map<String, String> refusals =
        Map.of(
            "\"yes\"", "preferQuic: \"yes\" is a string (expected: a boolean, true or false)",
            "\"on\"", "preferQuic: \"on\" is a string (expected: a boolean, true or false)",
            "\"true\"", "preferQuic: \"true\" is a string (expected: a boolean, true or false)",
            "1", "preferQuic: 1 is a number (expected: a boolean, true or false)");
    refusals.forEach(
        (value, error) -> {
          ResponseEntity<Map> response =
              post("{\"service\":\"health\",\"preferQuic\":" + value + "}");
          assertThat(response.getStatusCode().value()).as(value).isEqualTo(400);
          assertThat(response.getBody()).containsEntry("error", error);
        });
    ResponseEntity<Map> fallback = post("{\"fallbackToGrpc\":\"no\"}");
    assertThat(fallback.getStatusCode().value()).isEqualTo(400);
    assertThat(fallback.getBody())
        .containsEntry(
            "error", "fallbackToGrpc: \"no\" is a string (expected: a boolean, true or false)");
    assertThat(strategies.versioned()).isEqualTo(before);
  }

  @Test
  void onlyJsonNumbersAreNumbersAndOnlyStringsAreNames() {
    var before = strategies.versioned();
    Map<String, String> refusals =
        Map.of(
            "{\"service\":\"health\",\"quicShare\":\"50\"}",
            "quicShare: \"50\" is a string (expected: a number, 0 to 100)",
            "{\"service\":\"health\",\"quicShare\":true}",
            "quicShare: true is a boolean (expected: a number, 0 to 100)",
            "{\"service\":\"health\",\"quicShare\":50.5}",
            "quicShare: 50.5 is not a whole number (expected: a number, 0 to 100)",
            "{\"service\":[\"health\"],\"preferQuic\":true}",
            "service: an array (expected: a string, one of [health, status, monitoring, vm, raft])",
            "{\"service\":\"health\",\"servedOn\":[\"grpc\"]}",
            "servedOn: an array (expected: a string, grpc, quic or grpc,quic)");
    refusals.forEach(
        (body, error) -> {
          ResponseEntity<Map> response = post(body);
          assertThat(response.getStatusCode().value()).as(body).isEqualTo(400);
          assertThat(response.getBody()).containsEntry("error", error);
        });
    assertThat(strategies.versioned()).isEqualTo(before);
  }

  @Test
  void aFieldTheWriteDoesNotTakeOrABodyThatIsNotJsonIsRefused() {
    var before = strategies.versioned();
    ResponseEntity<Map> typo = post("{\"service\":\"health\",\"prefer_quic\":true}");
    assertThat(typo.getStatusCode().value()).isEqualTo(400);
    assertThat(typo.getBody())
        .containsEntry(
            "error",
            "\"prefer_quic\": not a field (expected one of fallbackToGrpc, preferQuic, quicShare,"
                + " servedOn, service)");
    ResponseEntity<Map> broken = post("{\"service\":");
    assertThat(broken.getStatusCode().value()).isEqualTo(400);
    assertThat((String) broken.getBody().get("error")).startsWith("the body is not JSON at line 1");
    assertThat(strategies.versioned()).isEqualTo(before);
  }

  @Test
  void aCallerWithoutATokenIsRefusedBeforeItsBodyIsChecked() {
    HttpHeaders json = new HttpHeaders();
    json.setContentType(MediaType.APPLICATION_JSON);
    ResponseEntity<Map> response =
        http.exchange(
            "/actuator/transports",
            HttpMethod.POST,
            new HttpEntity<>("{\"service\":\"health\",\"preferQuic\":\"yes\"}", json),
            Map.class);
    assertThat(response.getStatusCode().value()).isEqualTo(401);
  }

  @Test
  void aLongInputIsEchoedOnlyAsAShortPrefix() {
    String name = "x".repeat(2 * 1024 * 1024);
    ResponseEntity<Map> service = post("{\"service\":\"" + name + "\",\"preferQuic\":true}");
    assertThat(service.getStatusCode().value()).isEqualTo(400);
    assertThat((String) service.getBody().get("error"))
        .isEqualTo(
            "service: unknown service \""
                + "x".repeat(32)
                + "…\" (2097152 characters) (expected one of [health, status, monitoring, vm,"
                + " raft])");

    ResponseEntity<Map> servedOn = post("{\"service\":\"health\",\"servedOn\":\"" + name + "\"}");
    assertThat(servedOn.getStatusCode().value()).isEqualTo(400);
    assertThat((String) servedOn.getBody().get("error"))
        .startsWith("servedOn: \"" + "x".repeat(32) + "…\" (2097152 characters)")
        .hasSizeLessThan(200);
  }

  @Test
  void aServiceNotServedOnATransportAnswersUnavailableNamingWhereItIsServed() {
    post("{\"service\":\"status\",\"servedOn\":\"quic\"}");
    var status =
        StatusServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
    try {
      status.getRaftStatus(GetRaftStatusRequest.getDefaultInstance());
      throw new AssertionError("expected UNAVAILABLE");
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription())
          .isEqualTo("service status is not served over grpc on this node (served over: quic)");
    }
    // Other services are unaffected.
    HealthServiceGrpc.newBlockingStub(channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(CheckRequest.getDefaultInstance());
  }

  @Test
  void transportInfoGivesIdentityModeAndAddresses() {
    var info =
        TransportServiceGrpc.newBlockingStub(channel())
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .getTransportInfo(GetTransportInfoRequest.getDefaultInstance());
    assertThat(info.getNodeId()).isEqualTo(identity.nodeId().value());
    assertThat(info.getMode()).isEqualTo("dual");
    assertThat(info.getGrpcAddress())
        .endsWith(
            ":"
                + endpoints
                    .address(io.blixard.node.NodeEndpoints.Kind.GRPC)
                    .orElseThrow()
                    .getPort());
    assertThat(info.getHttpAddress()).isNotEmpty();
    assertThat(info.getStrategy().getFallbackToGrpc()).isTrue();
  }

  private String[] cli(String... args) {
    return io.blixard.cli.BlixardCliAccess.run(TestOperator.cli(args));
  }

  private String grpcNode() {
    return "127.0.0.1:"
        + endpoints.address(io.blixard.node.NodeEndpoints.Kind.GRPC).orElseThrow().getPort();
  }

  @Test
  void cliOverridesGetsAndResetsTheStrategyThroughTheEndpoint() {
    String[] set =
        cli(
            "strategy",
            "set",
            "--this-node",
            "--node",
            grpcNode(),
            "--service",
            "health",
            "--quic-share",
            "50");
    assertThat(set[0]).as(set[2]).isEqualTo("0");
    assertThat(set[1]).containsPattern("health +grpc,quic +50 %");
    assertThat(strategies.strategy().quicSharePercent("health")).isEqualTo(50);

    String[] get = cli("strategy", "get", "--node", grpcNode(), "--json");
    assertThat(get[0]).isEqualTo("0");
    assertThat(get[1]).contains("\"quicSharePercent\" : 50");

    String[] reset = cli("strategy", "reset", "--node", grpcNode());
    assertThat(reset[0]).isEqualTo("0");
    assertThat(strategies.strategy()).isEqualTo(strategies.configured());
  }

  @Test
  void cliReportsARefusedChangeInOneLine() {
    String httpPort =
        Integer.toString(
            endpoints.address(io.blixard.node.NodeEndpoints.Kind.HTTP).orElseThrow().getPort());
    String[] result =
        cli(
            "strategy",
            "set",
            "--this-node",
            "--node",
            grpcNode(),
            "--http",
            "127.0.0.1:" + httpPort,
            "--service",
            "health",
            "--quic-share",
            "101");
    assertThat(result[0]).isEqualTo("1");
    assertThat(result[2].strip())
        .isEqualTo(
            "blixard: the node refused the change: quic-share.health: 101 (expected: 0 to 100)");
  }
}
