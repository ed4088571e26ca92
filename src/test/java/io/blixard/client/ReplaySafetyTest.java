package io.blixard.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.migration.MigrationStrategy;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.transport.Transport;
import io.blixard.transport.UnprocessedRequestException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ConnectException;
import java.net.PortUnreachableException;
import java.util.EnumSet;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Which failures prove that the server never ran a call, and which methods may run twice. */
class ReplaySafetyTest {

  private static Status unavailable(Throwable cause) {
    return Status.UNAVAILABLE.withDescription("failed").withCause(cause);
  }

  @Test
  void failuresBeforeTheRequestLeftProveTheCallNeverRan() {
    assertThat(ReplaySafety.notProcessed(unavailable(new ConnectException("refused")))).isTrue();
    assertThat(ReplaySafety.notProcessed(unavailable(new PortUnreachableException()))).isTrue();
    assertThat(ReplaySafety.notProcessed(unavailable(new SSLHandshakeException("bad cert"))))
        .isTrue();
    assertThat(
            ReplaySafety.notProcessed(
                unavailable(
                    new IllegalStateException(
                        "wrapped", new UnprocessedRequestException("no stream", null)))))
        .isTrue();
    assertThat(
            ReplaySafety.notProcessed(
                unavailable(
                    CallNotPermittedException.createCallNotPermittedException(
                        CircuitBreaker.ofDefaults("peer/quic")))))
        .isTrue();
    assertThat(
            ReplaySafety.notProcessed(
                Status.UNAVAILABLE.withDescription(ReplaySafety.RETRY_AFTER_HANDSHAKE)))
        .isTrue();
  }

  @Test
  void theServedOnRefusalOfTheNodeProvesTheCallNeverRan() {
    MigrationStrategyHolder node =
        new MigrationStrategyHolder(
            MigrationStrategy.defaults().withServedOn("health", EnumSet.of(Transport.GRPC)),
            new SimpleMeterRegistry());
    String refusal =
        node.notServedReason("blixard.health.v1.HealthService", Transport.QUIC).orElseThrow();

    assertThat(refusal)
        .isEqualTo("service health is not served over quic on this node (served over: grpc)");
    assertThat(ReplaySafety.notProcessed(Status.UNAVAILABLE.withDescription(refusal))).isTrue();
    assertThat(ReplaySafety.notProcessed(Status.PERMISSION_DENIED.withDescription(refusal)))
        .isFalse();
  }

  @Test
  void anUnavailableAloneProvesNothing() {
    assertThat(ReplaySafety.notProcessed(Status.UNAVAILABLE.withDescription("busy"))).isFalse();
    assertThat(ReplaySafety.notProcessed(unavailable(new IOException("connection reset"))))
        .isFalse();
    assertThat(ReplaySafety.notProcessed(Status.INTERNAL.withCause(new ConnectException())))
        .as("only UNAVAILABLE")
        .isFalse();
  }

  @Test
  void methodsDeclaredSafeOrIdempotentMayRunTwice() {
    assertThat(ReplaySafety.safeToRepeat(SideEffectService.READ)).isTrue();
    assertThat(ReplaySafety.safeToRepeat(SideEffectService.BUMP)).isFalse();
    assertThat(
            ReplaySafety.safeToRepeat(
                io.blixard.proto.cluster.v1.MembershipServiceGrpc.getJoinMethod()))
        .as("IDEMPOTENT in membership.proto")
        .isTrue();
    assertThat(
            ReplaySafety.safeToRepeat(io.blixard.proto.health.v1.HealthServiceGrpc.getPingMethod()))
        .as("NO_SIDE_EFFECTS in health.proto")
        .isTrue();
  }
}
