package io.blixard.cli;

import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.LeaveRequest;
import io.blixard.proto.cluster.v1.Member;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.grpc.Channel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code blixard cluster members|leave}: the Raft group's membership. */
@Command(
    name = "cluster",
    mixinStandardHelpOptions = true,
    description =
        "The Raft group's members; take a node out of the group; recover from a lost quorum;"
            + " admission (join tokens,"
            + " admitted ids) and the audit log.",
    subcommands = {
      ClusterCommand.MembersCommand.class,
      ClusterCommand.LeaveCommand.class,
      RecoverCommand.class,
      TokenCommand.class,
      AdmitCommand.class,
      AuditCommand.class
    })
final class ClusterCommand {

  @Command(
      name = "members",
      mixinStandardHelpOptions = true,
      description = "The group's id, leader and voters.")
  static final class MembersCommand extends BlixardCli.NodeCommand {
    @Override
    void run(Channel channel) throws Exception {
      var response =
          stub(channel, MembershipServiceGrpc::newBlockingStub)
              .getMembers(GetMembersRequest.getDefaultInstance());
      if (printedJson(response)) {
        return;
      }
      out().println("group   " + response.getGroupId());
      out().println("leader  " + (response.getLeaderId().isEmpty() ? "-" : response.getLeaderId()));
      out().println("term    " + response.getTerm());
      out().println();
      Table table = new Table("NODE", "RAFT", "VOTER");
      for (Member member : response.getMembersList()) {
        table.row(member.getNodeId(), member.getRaftAddress(), member.getVoter() ? "yes" : "no");
      }
      table.print(out());
    }
  }

  @Command(
      name = "leave",
      mixinStandardHelpOptions = true,
      description =
          "Take a node out of the Raft group and the registry (the node asked, unless --id names"
              + " another, which takes an operator: the removal is signed with the operator key);"
              + " a leader hands leadership over first. Deadline 30s unless"
              + " --timeout says otherwise.")
  static final class LeaveCommand extends BlixardCli.NodeCommand {
    @Option(
        names = "--id",
        description = "Node id of the member to remove (default: the node --node names).")
    String id;

    /** A leader's leave waits for the leadership transfer and two Raft writes. */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    @Override
    void run(Channel channel) throws Exception {
      Duration deadline =
          spec.commandLine().getParseResult().hasMatchedOption("--timeout")
              ? options.timeout
              : DEFAULT_DEADLINE;
      var response =
          MembershipServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
              .leave(leaveRequest());
      if (printedJson(response)) {
        return;
      }
      if (!response.getWasMember()) {
        out().println("node " + response.getNodeId() + " is not a member; nothing to do");
        return;
      }
      out().println("node " + response.getNodeId() + " left the group");
      out().println("leader  " + (response.getLeaderId().isEmpty() ? "-" : response.getLeaderId()));
    }

    /** With --id, the removal signed by the operator, which the node forwards to the registry. */
    private LeaveRequest leaveRequest() {
      if (id == null) {
        return LeaveRequest.getDefaultInstance();
      }
      NodeId node = NodeId.parse(id);
      return LeaveRequest.newBuilder()
          .setNodeId(node.value())
          .setSignedRemove(signed(RegistryCommand.newBuilder().setRemove(node.value())))
          .build();
    }
  }
}
