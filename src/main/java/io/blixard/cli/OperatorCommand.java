package io.blixard.cli;

import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Operator;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.security.v1.ListOperatorsRequest;
import io.blixard.proto.security.v1.SecurityServiceGrpc;
import io.blixard.security.OperatorTokens;
import io.grpc.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code blixard operator …}: the operator's own credentials. */
@Command(
    name = "operator",
    mixinStandardHelpOptions = true,
    description =
        "The operator identity of this command line, its credentials, and the cluster's"
            + " operators.",
    subcommands = {
      OperatorCommand.Token.class,
      OperatorCommand.Add.class,
      OperatorCommand.Remove.class,
      OperatorCommand.ListOperators.class
    })
final class OperatorCommand {

  @Command(
      name = "token",
      mixinStandardHelpOptions = true,
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

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Make an identity an operator of the cluster (operators only). The new operator's id is"
              + " what blixard whoami prints on their machine.")
  static final class Add extends BlixardCli.NodeCommand {
    @Parameters(paramLabel = "OPERATOR_ID", description = "The new operator's id.")
    String operatorId;

    @Option(names = "--name", description = "Who this is, kept with the id.")
    String name;

    @Override
    void run(Channel channel) {
      NodeId id = NodeId.parse(operatorId);
      stub(channel, SecurityServiceGrpc::newBlockingStub)
          .addOperator(
              signedChange(
                  RegistryCommand.newBuilder()
                      .setAddOperator(
                          Operator.newBuilder()
                              .setNodeId(id.value())
                              .setName(name == null ? "" : name))));
      if (options.json) {
        out().println(Json.write(new Changed(id.value(), true)));
      } else {
        out().println("operator " + id + " added");
      }
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description =
          "Revoke an operator (operators only): its key can no longer change the cluster. The last"
              + " operator cannot be removed.")
  static final class Remove extends BlixardCli.NodeCommand {
    @Parameters(paramLabel = "OPERATOR_ID", description = "The operator's id.")
    String operatorId;

    @Override
    void run(Channel channel) {
      NodeId id = NodeId.parse(operatorId);
      stub(channel, SecurityServiceGrpc::newBlockingStub)
          .removeOperator(signedChange(RegistryCommand.newBuilder().setRemoveOperator(id.value())));
      if (options.json) {
        out().println(Json.write(new Changed(id.value(), false)));
      } else {
        out().println("operator " + id + " removed");
      }
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The cluster's operators (operators only).")
  static final class ListOperators extends BlixardCli.NodeCommand {
    @Override
    void run(Channel channel) {
      var response =
          stub(channel, SecurityServiceGrpc::newBlockingStub)
              .listOperators(ListOperatorsRequest.getDefaultInstance());
      if (printedJson(response)) {
        return;
      }
      Table table = new Table("OPERATOR", "NAME", "ADDED BY", "AT");
      for (Operator o : response.getOperatorsList()) {
        table.row(
            o.getNodeId(),
            o.getName().isEmpty() ? "-" : o.getName(),
            Table.shortId(o.getAddedBy()),
            Instant.ofEpochMilli(o.getAddedAtMillis()));
      }
      table.print(out());
    }
  }

  record Changed(String operatorId, boolean operator) {}
}
