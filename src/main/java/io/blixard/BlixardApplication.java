package io.blixard;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Starts a Blixard node: one member of a Raft cluster serving its services over gRPC and QUIC. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class BlixardApplication {

  public static void main(String[] args) {
    SpringApplication.run(BlixardApplication.class, args);
  }
}
