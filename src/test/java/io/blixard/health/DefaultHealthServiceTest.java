package io.blixard.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultHealthServiceTest {

  private static NodeIdentity identity;

  @BeforeAll
  static void createIdentity(@TempDir Path tmp) {
    identity = NodeIdentity.loadOrCreate(DataDirectory.open(tmp));
  }

  /** A check that always answers the same status. */
  record FixedCheck(String name, HealthStatus status) implements NodeHealthCheck {

    @Override
    public CheckResult check() {
      return new CheckResult(name, status, name + " is " + status, Map.of("k", "v"));
    }
  }

  /** A check that counts its runs and always throws. */
  record FailingCheck(String name, AtomicInteger runs) implements NodeHealthCheck {

    @Override
    public CheckResult check() {
      runs.incrementAndGet();
      throw new IllegalStateException("disk on fire");
    }
  }

  private static HealthService service(NodeHealthCheck... checks) {
    return new DefaultHealthService(List.of(checks), identity);
  }

  @Test
  void shouldBeUpWhenEveryCheckIsUp() {
    HealthReport report =
        service(new FixedCheck("raft", HealthStatus.UP), new FixedCheck("storage", HealthStatus.UP))
            .check();

    assertThat(report.status()).isEqualTo(HealthStatus.UP);
    assertThat(report.nodeId()).isEqualTo(identity.nodeId());
    assertThat(report.checkedAt()).isNotNull();
  }

  @Test
  void shouldBeUpWithoutChecks() {
    HealthReport report = service().check();

    assertThat(report.status()).isEqualTo(HealthStatus.UP);
    assertThat(report.checks()).isEmpty();
  }

  @Test
  void shouldBeDegradedWhenTheWorstCheckIsDegraded() {
    HealthReport report =
        service(
                new FixedCheck("raft", HealthStatus.UP),
                new FixedCheck("peers", HealthStatus.DEGRADED),
                new FixedCheck("storage", HealthStatus.UP))
            .check();

    assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
  }

  @Test
  void shouldBeDownWhenAnyCheckIsDown() {
    HealthReport report =
        service(
                new FixedCheck("raft", HealthStatus.DOWN),
                new FixedCheck("peers", HealthStatus.DEGRADED),
                new FixedCheck("storage", HealthStatus.UP))
            .check();

    assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
  }

  @Test
  void shouldReportEveryCheckInOrder() {
    HealthReport report =
        service(
                new FixedCheck("raft", HealthStatus.UP),
                new FixedCheck("storage", HealthStatus.DOWN),
                new FixedCheck("peers", HealthStatus.DEGRADED))
            .check();

    assertThat(report.checks())
        .extracting(CheckResult::name, CheckResult::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("raft", HealthStatus.UP),
            org.assertj.core.groups.Tuple.tuple("storage", HealthStatus.DOWN),
            org.assertj.core.groups.Tuple.tuple("peers", HealthStatus.DEGRADED));
    assertThat(report.checks().get(0).attributes()).containsEntry("k", "v");
  }

  @Test
  void shouldTurnAThrowingCheckIntoDownWithItsMessageAndStillRunTheOthers() {
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger after = new AtomicInteger();
    NodeHealthCheck counted =
        new NodeHealthCheck() {
          @Override
          public String name() {
            return "peers";
          }

          @Override
          public CheckResult check() {
            after.incrementAndGet();
            return new CheckResult("peers", HealthStatus.UP, "fine", Map.of());
          }
        };

    HealthReport report =
        service(new FixedCheck("raft", HealthStatus.UP), new FailingCheck("storage", runs), counted)
            .check();

    assertThat(report.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(runs).hasValue(1);
    assertThat(after).hasValue(1);
    CheckResult failed = report.checks().get(1);
    assertThat(failed.name()).isEqualTo("storage");
    assertThat(failed.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(failed.detail()).contains("disk on fire");
    assertThat(report.checks())
        .extracting(CheckResult::status)
        .containsExactly(HealthStatus.UP, HealthStatus.DOWN, HealthStatus.UP);
  }

  @Test
  void shouldEchoThePingPayloadWithTheNodeId() {
    byte[] payload = "hello".getBytes(StandardCharsets.UTF_8);

    PingReply reply = service().ping(payload);

    assertThat(reply.payload()).containsExactly(payload);
    assertThat(reply.nodeId()).isEqualTo(identity.nodeId());
    assertThat(reply.serverTime()).isNotNull();
  }

  @Test
  void shouldEchoAnEmptyPing() {
    assertThat(service().ping(new byte[0]).payload()).isEmpty();
  }
}
