package io.blixard.cli;

import io.blixard.proto.cluster.v1.AuditEntry;
import io.blixard.proto.security.v1.GetAuditLogRequest;
import io.blixard.proto.security.v1.SecurityServiceGrpc;
import io.grpc.Channel;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code blixard cluster audit}: who changed membership, admission and operators, and when. */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description =
        "The audit log: every accepted change of membership, admission, tokens and operators,"
            + " oldest first (operators only).")
final class AuditCommand extends BlixardCli.NodeCommand {

  @Option(
      names = "--limit",
      defaultValue = "50",
      description =
          "Show at most this many entries, the newest; 0 for all (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  void run(Channel channel) {
    if (limit < 0) {
      throw new IllegalArgumentException("--limit " + limit + " (expected: 0 or more)");
    }
    var response =
        stub(channel, SecurityServiceGrpc::newBlockingStub)
            .getAuditLog(GetAuditLogRequest.newBuilder().setLimit(limit).build());
    if (printedJson(response)) {
      return;
    }
    Table table = new Table("INDEX", "AT", "ACTOR", "ACTION", "DETAIL");
    for (AuditEntry e : response.getEntriesList()) {
      table.row(
          e.getIndex(),
          Instant.ofEpochMilli(e.getAtMillis()),
          Table.shortId(e.getActor()),
          e.getAction(),
          e.getDetail());
    }
    table.print(out());
  }
}
