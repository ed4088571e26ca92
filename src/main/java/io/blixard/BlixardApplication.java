package io.blixard;

import io.blixard.cli.BlixardCli;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Starts a Blixard node: one member of a Raft cluster serving its services over gRPC and QUIC. With
 * a command as first argument ({@code health}, {@code status}, ...) it runs the {@code blixard}
 * command line instead, without starting a node.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BlixardApplication {

  public static void main(String[] args) {
    if (BlixardCli.isCommand(args)) {
      System.exit(BlixardCli.execute(args));
    }
    try {
      SpringApplication.run(BlixardApplication.class, args);
    } catch (RuntimeException failed) {
      // Spring Boot has reported the failure; threads a failed start left must not keep the
      // process alive without listeners.
      System.exit(1);
    }
  }
}
