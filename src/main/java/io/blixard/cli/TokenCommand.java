package io.blixard.cli;

import com.google.protobuf.ByteString;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.JoinToken;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.security.v1.ListJoinTokensRequest;
import io.blixard.proto.security.v1.SecurityServiceGrpc;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.security.JoinCredential;
import io.grpc.Channel;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code blixard cluster token create|list|revoke}: join tokens, which admit new nodes. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Join tokens: proof a new node shows to join (operators only).",
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
final class TokenCommand {

  /** The longest a token may live; the default is a day, as kubeadm's bootstrap tokens. */
  static final Duration MAX_TTL = Duration.ofDays(7);

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description =
          "Create a join token and print it once: blx1.<issuer>.<id>.<secret>. The node it is"
              + " created through is its issuer, which the joining node pins. The registry keeps"
              + " only the secret's SHA-256.")
  static final class Create extends BlixardCli.NodeCommand {

    @Option(
        names = "--ttl",
        defaultValue = "24h",
        converter = NodeOptions.DurationConverter.class,
        description = "How long the token is valid, at most 7d (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(
        names = "--node-id",
        paramLabel = "NODEID",
        description = "Only this node may join with it (its id: blixard whoami on a node's key).")
    String nodeId;

    @Option(
        names = "--reusable",
        description = "More than one node may join with it (default: the first join uses it up).")
    boolean reusable;

    @Override
    void run(Channel channel) {
      if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
        throw new IllegalArgumentException(
            "--ttl " + ttl + " (expected: more than 0 and at most 7d)");
      }
      Optional<NodeId> bound =
          nodeId == null ? Optional.empty() : Optional.of(NodeId.parse(nodeId.trim()));
      NodeId issuer =
          NodeId.parse(
              stub(channel, StatusServiceGrpc::newBlockingStub)
                  .getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
                  .getReportedBy());
      JoinCredential token = JoinCredential.generate(Optional.of(issuer));
      Instant expires = Instant.now().plus(ttl).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
      JoinToken.Builder stored =
          JoinToken.newBuilder()
              .setTokenId(token.id())
              .setSecretSha256(ByteString.copyFrom(token.secretHash()))
              .setExpiresAtMillis(expires.toEpochMilli())
              .setReusable(reusable)
              .setIssuerNodeId(issuer.value());
      bound.ifPresent(b -> stored.setBoundNodeId(b.value()));
      stub(channel, SecurityServiceGrpc::newBlockingStub)
          .createJoinToken(signedChange(RegistryCommand.newBuilder().setAddToken(stored)));
      if (options.json) {
        out()
            .println(
                Json.write(
                    new Created(
                        token.text(),
                        token.id(),
                        issuer.value(),
                        expires,
                        bound.map(NodeId::value).orElse(null),
                        reusable)));
        return;
      }
      out().println(token.text());
      err()
          .println(
              "token "
                  + token.id()
                  + " expires "
                  + expires
                  + (bound.isPresent() ? ", only for node " + bound.get() : "")
                  + (reusable ? ", reusable" : ", single use")
                  + "; it is shown only now: give it to the joining node as"
                  + " blixard.cluster.join-token");
    }

    /** What --json prints. */
    record Created(
        String token,
        String tokenId,
        String issuer,
        Instant expiresAt,
        String boundNodeId,
        boolean reusable) {}
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The cluster's join tokens (never their secrets).")
  static final class ListTokens extends BlixardCli.NodeCommand {
    @Override
    void run(Channel channel) {
      var response =
          stub(channel, SecurityServiceGrpc::newBlockingStub)
              .listJoinTokens(ListJoinTokensRequest.getDefaultInstance());
      if (printedJson(response)) {
        return;
      }
      Table table = new Table("TOKEN", "EXPIRES", "FOR NODE", "USE", "USED BY", "CREATED BY");
      for (JoinToken t : response.getTokensList()) {
        table.row(
            t.getTokenId(),
            t.getExpiresAtMillis() == 0 ? "never" : Instant.ofEpochMilli(t.getExpiresAtMillis()),
            t.getBoundNodeId().isEmpty() ? "any" : Table.shortId(t.getBoundNodeId()),
            t.getReusable() ? "reusable" : "single",
            t.getUsedByCount() == 0
                ? "-"
                : String.join(",", t.getUsedByList().stream().map(Table::shortId).toList()),
            Table.shortId(t.getCreatedBy()));
      }
      table.print(out());
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a join token: no node can join with it any more.")
  static final class Revoke extends BlixardCli.NodeCommand {
    @Parameters(
        paramLabel = "TOKEN_ID",
        description = "The token's id (blixard cluster token list).")
    String tokenId;

    @Override
    void run(Channel channel) {
      stub(channel, SecurityServiceGrpc::newBlockingStub)
          .revokeJoinToken(
              signedChange(RegistryCommand.newBuilder().setRemoveToken(tokenId.trim())));
      if (!options.json) {
        out().println("token " + tokenId.trim() + " revoked");
      } else {
        out().println(Json.write(new Revoked(tokenId.trim())));
      }
    }

    record Revoked(String revoked) {}
  }
}
