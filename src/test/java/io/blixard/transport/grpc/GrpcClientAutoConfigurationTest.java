package io.blixard.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class GrpcClientAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(GrpcClientAutoConfiguration.class));

  @Test
  void shouldMakePlaintextChannelsWhenTheNodesGrpcListenerIsPlaintext() {
    runner
        .withPropertyValues(
            "blixard.transport.grpc.tls.enabled=false",
            "blixard.transport.grpc.tls.client-auth=none")
        .run(
            context ->
                assertThat(context.getBean(GrpcChannelFactory.class).tls())
                    .isEqualTo(GrpcChannelFactory.Tls.OFF));
  }

  @Test
  void shouldMakeTlsChannelsWhenTheNodesGrpcListenerSpeaksTls() {
    runner
        .withPropertyValues("blixard.transport.grpc.tls.enabled=true")
        .run(
            context ->
                assertThat(context.getBean(GrpcChannelFactory.class).tls())
                    .isEqualTo(GrpcChannelFactory.Tls.ON));
  }

  @Test
  void shouldMakeChannelsInEveryModeForTheNodesOwnCalls() {
    runner
        .withPropertyValues("blixard.transport.mode=quic")
        .run(context -> assertThat(context).hasSingleBean(GrpcChannelFactory.class));
  }

  @Test
  void shouldBackOffForAFactoryOfTheApplication() {
    GrpcChannelFactory own = GrpcChannelFactory.plaintext();
    runner
        .withPropertyValues("blixard.transport.grpc.tls.enabled=true")
        .withBean(GrpcChannelFactory.class, () -> own)
        .run(context -> assertThat(context.getBean(GrpcChannelFactory.class)).isSameAs(own));
  }
}
