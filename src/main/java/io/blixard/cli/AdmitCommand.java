package io.blixard.cli;

import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.security.v1.ListAdmissionsRequest;
import io.blixard.proto.security.v1.SecurityServiceGrpc;
import io.grpc.Channel;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code blixard cluster admit NODEID}: lets a node join without a token; {@code --revoke}
 * withdraws that, {@code --list} shows who is admitted.
 */
@Command(
    name = "admit",
    mixinStandardHelpOptions = true,
    description =
        "Pre-admit a node id: that node may join once without a join token (operators only)."
            + " The admission is used up by its join.")
final class AdmitCommand extends BlixardCli.NodeCommand {

  @Parameters(
      arity = "0..1",
      paramLabel = "NODEID",
      description = "The joining node's id (it prints it at start, or blixard whoami on its key).")
  String nodeId;

  @Option(names = "--comment", description = "Free text kept with the admission.")
  String comment;

  @Option(names = "--revoke", description = "Withdraw the admission of NODEID instead.")
  boolean revoke;

  @Option(names = "--list", description = "List the pending admissions instead.")
  boolean list;

  @Override
  void run(Channel channel) {
    var security = stub(channel, SecurityServiceGrpc::newBlockingStub);
    if (list) {
      var response = security.listAdmissions(ListAdmissionsRequest.getDefaultInstance());
      if (printedJson(response)) {
        return;
      }
      Table table = new Table("NODE", "ADMITTED BY", "AT", "COMMENT");
      for (Admission a : response.getAdmissionsList()) {
        table.row(
            a.getNodeId(),
            Table.shortId(a.getAdmittedBy()),
            Instant.ofEpochMilli(a.getAdmittedAtMillis()),
            a.getComment());
      }
      table.print(out());
      return;
    }
    if (nodeId == null) {
      throw new IllegalArgumentException("NODEID is missing (expected: the node id to admit)");
    }
    NodeId id = NodeId.parse(nodeId.trim());
    RegistryCommand.Builder command =
        revoke
            ? RegistryCommand.newBuilder().setRevokeAdmission(id.value())
            : RegistryCommand.newBuilder()
                .setAdmit(
                    Admission.newBuilder()
                        .setNodeId(id.value())
                        .setComment(comment == null ? "" : comment));
    security.admit(signedChange(command));
    if (options.json) {
      out().println(Json.write(new Result(id.value(), !revoke)));
    } else {
      out()
          .println(
              revoke
                  ? "admission of node " + id + " withdrawn"
                  : "node " + id + " admitted: it may join once without a token");
    }
  }

  record Result(String nodeId, boolean admitted) {}
}
