package io.blixard.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code blixard node}: starts a node in this process, with Spring Boot's {@code --key=value}
 * arguments; the node keeps running after the command returns.
 */
@Command(
    name = "node",
    description = {
      "Start a node (what the jar does with no arguments).",
      "",
      "Settings are --key=value, e.g. --server.port=8081 --blixard.node.data-dir=/var/lib/blixard"
          + " (docs/configuration.md)."
    })
final class StartNodeCommand implements Callable<Integer> {

  @Parameters(
      paramLabel = "--KEY=VALUE",
      description = "Configuration properties, as Spring Boot reads them from the command line.")
  List<String> properties = new ArrayList<>();

  @Spec CommandSpec spec;

  private final Consumer<String[]> start;
  private boolean started;

  /**
   * @param start starts the node with these Spring Boot arguments, throwing when it fails to start
   */
  StartNodeCommand(Consumer<String[]> start) {
    this.start = start;
  }

  @Override
  public Integer call() {
    for (String property : properties) {
      if (!property.startsWith("--")) {
        throw new ParameterException(
            spec.commandLine(),
            "'" + property + "' is not a setting (expected: --key=value, e.g. --server.port=8081)");
      }
    }
    try {
      start.accept(properties.toArray(String[]::new));
    } catch (RuntimeException failed) {
      // Spring Boot has reported why, with its failure analysis when it has one.
      return BlixardCli.CALL_FAILED;
    }
    started = true;
    return 0;
  }

  /** Whether a node was started and runs on. */
  boolean started() {
    return started;
  }
}
