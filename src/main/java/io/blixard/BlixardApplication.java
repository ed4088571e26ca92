package io.blixard;

import io.blixard.cli.BlixardCli;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A Blixard node: one member of a Raft cluster serving its services over gRPC and QUIC. The jar's
 * entry point is the {@code blixard} command line, whose {@code node} command (or no arguments at
 * all) starts this application; its other commands ask a running node, without starting one.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BlixardApplication {

  public static void main(String[] args) {
    BlixardCli.main(
        args,
        nodeArgs -> {
          SpringApplication node = new SpringApplication(BlixardApplication.class);
          // Started from the command line's main: the log names the application, not the CLI.
          node.setMainApplicationClass(BlixardApplication.class);
          node.run(nodeArgs);
        });
  }
}
