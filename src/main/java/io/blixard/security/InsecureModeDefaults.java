package io.blixard.security;

import java.util.Locale;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Makes {@code blixard.security.mode=insecure} one switch: it turns the transports' secure defaults
 * (gRPC TLS with optional client certificates, QUIC client certificates needed) into plaintext gRPC
 * and anonymous QUIC, unless those keys are set explicitly. The defaults go in last, so every
 * configured value wins.
 */
public final class InsecureModeDefaults implements EnvironmentPostProcessor {

  static final String SOURCE = "blixardInsecureModeDefaults";

  @Override
  public void postProcessEnvironment(
      ConfigurableEnvironment environment, SpringApplication application) {
    String mode = environment.getProperty("blixard.security.mode", "secure");
    if (!"insecure".equals(mode.trim().toLowerCase(Locale.ROOT))) {
      return;
    }
    environment
        .getPropertySources()
        .addLast(
            new MapPropertySource(
                SOURCE,
                Map.of(
                    "blixard.transport.grpc.tls.enabled", "false",
                    "blixard.transport.grpc.tls.client-auth", "none",
                    "blixard.transport.quic.client-auth", "none")));
  }
}
