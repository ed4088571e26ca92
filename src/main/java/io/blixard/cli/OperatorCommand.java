package io.blixard.cli;

import io.blixard.security.OperatorTokens;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code blixard operator …}: the operator's own credentials. */
@Command(
    name = "operator",
    description = "The operator identity of this command line and its credentials.",
    subcommands = {OperatorCommand.Token.class})
final class OperatorCommand {

  @Command(
      name = "token",
      description =
          "Print a bearer token for a node's HTTP port (Actuator), signed by the operator key:"
              + " curl -H \"Authorization: Bearer $(blixard operator token)\" ...")
  static final class Token implements Callable<Integer> {

    @Mixin OperatorOptions operator;

    @Option(
        names = "--ttl",
        defaultValue = "5m",
        converter = NodeOptions.DurationConverter.class,
        description = "How long the token is valid, at most 5m (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(OperatorTokens.MAX_LIFETIME) > 0) {
        throw new IllegalArgumentException(
            "--ttl "
                + ttl.toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                + " (expected: more than 0 and at most 5m, the longest a node accepts)");
      }
      spec.commandLine().getOut().println(operator.token(ttl));
      return 0;
    }
  }
}
