package io.blixard.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransportModeTest {

  @Test
  void shouldServeBothTransportsWhenDual() {
    assertThat(TransportMode.DUAL.serves(Transport.GRPC)).isTrue();
    assertThat(TransportMode.DUAL.serves(Transport.QUIC)).isTrue();
    assertThat(TransportMode.DUAL.transports()).containsExactly(Transport.GRPC, Transport.QUIC);
  }

  @Test
  void shouldServeOnlyGrpcWhenGrpc() {
    assertThat(TransportMode.GRPC.serves(Transport.GRPC)).isTrue();
    assertThat(TransportMode.GRPC.serves(Transport.QUIC)).isFalse();
    assertThat(TransportMode.GRPC.transports()).containsExactly(Transport.GRPC);
  }

  @Test
  void shouldServeOnlyQuicWhenQuic() {
    assertThat(TransportMode.QUIC.serves(Transport.QUIC)).isTrue();
    assertThat(TransportMode.QUIC.serves(Transport.GRPC)).isFalse();
    assertThat(TransportMode.QUIC.transports()).containsExactly(Transport.QUIC);
  }

  @Test
  void shouldHandOutACopyOfItsTransports() {
    TransportMode.DUAL.transports().clear();

    assertThat(TransportMode.DUAL.transports()).hasSize(2);
    assertThat(TransportMode.DUAL.serves(Transport.GRPC)).isTrue();
  }

  @Test
  void shouldTagTransportsInLowerCase() {
    assertThat(Transport.GRPC.tag()).isEqualTo("grpc");
    assertThat(Transport.QUIC.tag()).isEqualTo("quic");
  }
}
