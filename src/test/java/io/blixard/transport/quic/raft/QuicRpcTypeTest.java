package io.blixard.transport.quic.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.transport.quic.QuicTransportProperties;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.ServerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.util.unit.DataSize;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class QuicRpcTypeTest {

  @Test
  void ratisResolvesTheTypeFromItsClassNameInItsProperties() {
    QuicRaftTransport transport =
        new QuicRaftTransport(endpoint(null), () -> null, DataSize.ofMegabytes(4));
    RaftProperties properties = new RaftProperties();
    properties.set(RaftConfigKeys.Rpc.TYPE_KEY, transport.rpcTypeClassName());

    RpcType type = RaftConfigKeys.Rpc.type(properties, s -> {});

    assertThat(type).isInstanceOf(QuicRpcType.class).isEqualTo(QuicRpcType.INSTANCE);
    assertThat(RpcType.valueOf(type.name())).isEqualTo(type);
  }

  @Test
  void theFactoryIsBothRatisFactoriesOverTheEndpointInTheParameters() throws Exception {
    try (QuicConnectionPool pool = pool()) {
      Parameters parameters = new Parameters();
      parameters.put(QuicRaftEndpoint.PARAMETER, endpoint(pool), QuicRaftEndpoint.class);

      var factory = QuicRpcType.INSTANCE.newFactory(parameters);

      assertThat(ServerFactory.cast(factory).getRpcType()).isEqualTo(QuicRpcType.INSTANCE);
      assertThat(ClientFactory.cast(factory)).isInstanceOf(QuicRaftFactory.class);
    }
  }

  @Test
  void parametersWithoutTheEndpointAreRefusedNamingIt() {
    assertThatThrownBy(() -> QuicRpcType.INSTANCE.newFactory(new Parameters()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(QuicRaftEndpoint.PARAMETER);
  }

  @Test
  void ratissBufferAndSnapshotChunkAreHalfTheFrameLimit() {
    QuicRaftTransport transport =
        new QuicRaftTransport(endpoint(null), () -> null, DataSize.ofMegabytes(4));
    RaftProperties properties = new RaftProperties();
    transport.raftProperties().forEach(properties::set);

    assertThat(RaftServerConfigKeys.Log.Appender.bufferByteLimit(properties).getSize())
        .isEqualTo(2L * 1024 * 1024);
    assertThat(RaftServerConfigKeys.Log.Appender.snapshotChunkSizeMax(properties).getSize())
        .isEqualTo(2L * 1024 * 1024);
  }

  @Test
  void withoutAQuicListenerRaftCannotListenAndSaysWhatIsMissing() {
    QuicRaftTransport transport =
        new QuicRaftTransport(endpoint(null), () -> null, DataSize.ofMegabytes(4));

    assertThatThrownBy(transport::listen)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no QUIC listener")
        .hasMessageContaining("quic or dual");
  }

  private static QuicRaftEndpoint endpoint(QuicConnectionPool given) {
    return new QuicRaftEndpoint(
        given == null ? pool : given,
        Optional::empty,
        id -> Optional.empty(),
        new SimpleMeterRegistry());
  }

  private static QuicConnectionPool pool;

  @BeforeAll
  static void openPool() {
    pool = pool();
  }

  @AfterAll
  static void closePool() {
    pool.close();
  }

  private static QuicConnectionPool pool() {
    return new QuicConnectionPool(
        QuicClientSettings.from(
            new Binder().bindOrCreate("blixard.transport.quic", QuicTransportProperties.class)),
        null,
        new SimpleMeterRegistry());
  }
}
