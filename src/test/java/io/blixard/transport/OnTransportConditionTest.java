package io.blixard.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class OnTransportConditionTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(GrpcConfiguration.class, QuicConfiguration.class);

  @Test
  void shouldServeBothWhenModeIsDual() {
    runner
        .withPropertyValues("blixard.transport.mode=dual")
        .run(
            context -> {
              assertThat(context).hasBean("grpcMarker");
              assertThat(context).hasBean("quicMarker");
            });
  }

  @Test
  void shouldServeBothWhenModeIsMissing() {
    runner.run(
        context -> {
          assertThat(context).hasBean("grpcMarker");
          assertThat(context).hasBean("quicMarker");
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {"grpc", "GRPC", "Grpc"})
  void shouldServeOnlyGrpcWhenModeIsGrpc(String mode) {
    runner
        .withPropertyValues("blixard.transport.mode=" + mode)
        .run(
            context -> {
              assertThat(context).hasBean("grpcMarker");
              assertThat(context).doesNotHaveBean("quicMarker");
            });
  }

  @ParameterizedTest
  @ValueSource(strings = {"quic", "QUIC"})
  void shouldServeOnlyQuicWhenModeIsQuic(String mode) {
    runner
        .withPropertyValues("blixard.transport.mode=" + mode)
        .run(
            context -> {
              assertThat(context).hasBean("quicMarker");
              assertThat(context).doesNotHaveBean("grpcMarker");
            });
  }

  @Test
  void shouldServeBothWhenModeIsUpperCaseDual() {
    runner
        .withPropertyValues("blixard.transport.mode=DUAL")
        .run(
            context -> {
              assertThat(context).hasBean("grpcMarker");
              assertThat(context).hasBean("quicMarker");
            });
  }

  @Test
  void shouldServeNeitherWhenModeIsUnknown() {
    // The binding error itself is TransportProperties' job; the condition only declines.
    runner
        .withPropertyValues("blixard.transport.mode=http3")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean("grpcMarker");
              assertThat(context).doesNotHaveBean("quicMarker");
            });
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnTransport(Transport.GRPC)
  static class GrpcConfiguration {

    @Bean
    String grpcMarker() {
      return "grpc";
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class QuicConfiguration {

    @Bean
    @ConditionalOnTransport(Transport.QUIC)
    String quicMarker() {
      return "quic";
    }
  }
}
