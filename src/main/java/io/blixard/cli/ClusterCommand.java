package io.blixard.cli;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.LeaveRequest;
import io.blixard.proto.cluster.v1.Member;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.grpc.Channel;
import java.nio.file.Files;
import java.nio.file.Path;
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
      description = {
        "Take a node out of the Raft group and the registry (the node asked, unless --id names"
            + " another, which takes an operator: the removal is signed with the operator key);"
            + " a leader hands leadership over first. Deadline 30s unless --timeout says"
            + " otherwise.",
        "In a Kubernetes preStop hook (the chart's leaveOnScaleDown): --as-node presents the"
            + " node's own identity, and --only-on-scale-down leaves only when the pod is being"
            + " removed by a scale-down of its StatefulSet, never on a restart or an upgrade."
      })
  static final class LeaveCommand extends BlixardCli.NodeCommand {
    @Option(
        names = "--id",
        description = "Node id of the member to remove (default: the node --node names).")
    String id;

    @Option(
        names = "--as-node",
        paramLabel = "DATA_DIR",
        description =
            "Present the identity of the node whose data directory this is (DATA_DIR/identity)"
                + " instead of the operator's: a node may take itself out.")
    Path asNode;

    @Option(
        names = "--only-on-scale-down",
        description =
            "Leave only when the StatefulSet (--statefulset) has fewer replicas than this pod's"
                + " ordinal + 1, as read from the Kubernetes API with the pod's service account;"
                + " otherwise say why not and exit 0. When the API cannot answer, do not leave and"
                + " exit non-zero.")
    boolean onlyOnScaleDown;

    @Option(
        names = "--statefulset",
        paramLabel = "NAME",
        description = "The pod's StatefulSet, for --only-on-scale-down.")
    String statefulSet;

    @Option(
        names = "--pod",
        paramLabel = "NAME",
        description = "The pod, for --only-on-scale-down (default: $POD_NAME, else $HOSTNAME).")
    String pod;

    /** A leader's leave waits for the leadership transfer and two Raft writes. */
    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    @Override
    public Integer call() throws Exception {
      if (onlyOnScaleDown) {
        if (statefulSet == null) {
          throw new IllegalArgumentException(
              "--only-on-scale-down needs --statefulset (expected: the pod's StatefulSet)");
        }
        String self =
            pod != null ? pod : System.getenv().getOrDefault("POD_NAME", System.getenv("HOSTNAME"));
        ScaleDownCheck.Decision decision =
            ScaleDownCheck.inCluster(System.getenv(), ScaleDownCheck.SERVICE_ACCOUNT)
                .check(statefulSet, self);
        out().println(decision.reason());
        out().flush();
        if (!decision.leave()) {
          return BlixardCli.OK;
        }
      }
      if (asNode != null) {
        Path dir = asNode.resolve(DataDirectory.IDENTITY);
        if (!Files.isRegularFile(dir.resolve(NodeIdentity.KEY_FILE))) {
          throw new IllegalArgumentException(
              "--as-node "
                  + asNode
                  + " has no node identity in "
                  + dir
                  + " (expected: a node's data directory)");
        }
        options.present(
            NodeIdentity.loadOrCreate(dir, NodeIdentity.KEY_FILE, NodeIdentity.CERTIFICATE_FILE));
      }
      return super.call();
    }

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
