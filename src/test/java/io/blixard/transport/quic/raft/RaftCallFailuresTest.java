package io.blixard.transport.quic.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RaftCallFailuresTest {

  /** What Ratis's clients ask of any transport exception: reconnect, and try another server? */
  private static boolean ratisReconnects(Throwable e) {
    RaftClientRpc rpc =
        new RaftClientRpc() {
          @Override
          public org.apache.ratis.protocol.RaftClientReply sendRequest(
              org.apache.ratis.protocol.RaftClientRequest request) {
            throw new UnsupportedOperationException();
          }

          @Override
          public void addRaftPeers(
              java.util.Collection<org.apache.ratis.protocol.RaftPeer> peers) {}

          @Override
          public void close() {}
        };
    return rpc.shouldReconnect(e);
  }

  @Test
  void anUnreachablePeerIsAConnectExceptionRatisReconnectsOn() {
    IOException e =
        RaftCallFailures.toIOException(
            new CompletionException(
                Status.UNAVAILABLE.withDescription("cannot connect").asRuntimeException()),
            "peer-b");

    assertThat(e).isInstanceOf(ConnectException.class).hasMessageContaining("peer-b");
    assertThat(e.getMessage()).contains("UNAVAILABLE cannot connect");
    assertThat(ratisReconnects(e)).isTrue();
  }

  @Test
  void aMissedDeadlineIsRatissTimeout() {
    IOException e =
        RaftCallFailures.toIOException(Status.DEADLINE_EXCEEDED.asRuntimeException(), "peer-b");

    assertThat(e).isInstanceOf(TimeoutIOException.class);
    assertThat(ratisReconnects(e)).isTrue();
  }

  @Test
  void aRefusalIsAPlainIOExceptionWithItsReason() {
    IOException e =
        RaftCallFailures.toIOException(
            Status.PERMISSION_DENIED.withDescription("not a member").asRuntimeException(),
            "peer-b");

    assertThat(e.getClass()).isEqualTo(IOException.class);
    assertThat(e).hasMessageContaining("PERMISSION_DENIED not a member");
    assertThat(ratisReconnects(e)).isFalse();
  }

  @Test
  void aServerSideIOExceptionIsUnavailableWithItsClassAndMessage() {
    Status status =
        RaftCallFailures.toStatus(new CompletionException(new IOException("server not ready")))
            .getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).isEqualTo("IOException: server not ready");
    assertThat(RaftCallFailures.toStatus(new IllegalStateException("bug")).getStatus().getCode())
        .isEqualTo(Status.Code.INTERNAL);
  }
}
