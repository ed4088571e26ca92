package io.blixard.cluster.membership;

import io.blixard.cluster.AccessDeniedException;
import io.blixard.cluster.AccessService;
import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.registry.CommandRefusal;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.cluster.registry.RegistryWriter;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.AuditEntry;
import io.blixard.proto.cluster.v1.JoinToken;
import io.blixard.proto.cluster.v1.Operator;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SignedCommand;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Forwards operators' signed changes of the access state to the Raft log after the registry's own
 * check against this node's state (so a refusal needs no Raft round), and reads that state from the
 * registry this node applied.
 */
@Service
public class DefaultAccessService implements AccessService {

  private static final Logger log = LoggerFactory.getLogger(DefaultAccessService.class);

  private final ClusterView view;
  private final RegistryWriter writer;
  private final NodeRegistry registry;
  private final ClusterProperties properties;

  public DefaultAccessService(
      ClusterView view,
      RegistryWriter writer,
      NodeRegistry registry,
      ClusterProperties properties) {
    this.view = view;
    this.writer = writer;
    this.registry = registry;
    this.properties = properties;
  }

  @Override
  public NodeId change(Change change, byte[] signedCommand) {
    Objects.requireNonNull(change, "change");
    if (signedCommand == null || signedCommand.length == 0) {
      throw new IllegalArgumentException(
          "empty signed_command (expected: a serialized blixard.cluster.v1.SignedCommand of "
              + change.commands()
              + ", signed by an operator)");
    }
    SignedCommand signed = RegistryCommands.parseSigned(signedCommand, "signed_command");
    RegistryCommand command = RegistryCommands.command(signed);
    if (!accepts(change, command.getCommandCase())) {
      throw new IllegalArgumentException(
          "signed_command holds a "
              + command.getCommandCase().name().toLowerCase(java.util.Locale.ROOT)
              + " command (expected: "
              + change.commands()
              + ")");
    }
    Optional<CommandRefusal> refusal =
        registry.check(signed, Instant.now(), view.requireState().memberIds());
    if (refusal.isPresent()) {
      throw new AccessDeniedException(refusal.get().reason(), refusal.get().message());
    }
    String what = change.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    RegistryWrites.await(
        writer.forward(signed), properties.raft().requestTimeout().multipliedBy(2), what);
    log.info(
        "Access change committed: {} by {}",
        what,
        RegistryCommands.claimedSigner(signed).map(NodeId::shortForm).orElse("?"));
    return view.nodeId();
  }

  private static boolean accepts(Change change, RegistryCommand.CommandCase kind) {
    return switch (change) {
      case CREATE_TOKEN -> kind == RegistryCommand.CommandCase.ADD_TOKEN;
      case REVOKE_TOKEN -> kind == RegistryCommand.CommandCase.REMOVE_TOKEN;
      case ADMIT ->
          kind == RegistryCommand.CommandCase.ADMIT
              || kind == RegistryCommand.CommandCase.REVOKE_ADMISSION;
      case ADD_OPERATOR -> kind == RegistryCommand.CommandCase.ADD_OPERATOR;
      case REMOVE_OPERATOR -> kind == RegistryCommand.CommandCase.REMOVE_OPERATOR;
      case SET_STRATEGY -> kind == RegistryCommand.CommandCase.SET_STRATEGY;
    };
  }

  @Override
  public List<JoinToken> tokens() {
    return registry.tokens().stream().map(t -> t.toBuilder().clearSecretSha256().build()).toList();
  }

  @Override
  public List<Admission> admissions() {
    return registry.admissions();
  }

  @Override
  public List<Operator> operators() {
    return registry.operators();
  }

  @Override
  public List<AuditEntry> audit(int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit: " + limit + " (expected: 0 for all, or more)");
    }
    List<AuditEntry> all = registry.audit();
    return limit == 0 || limit >= all.size() ? all : all.subList(all.size() - limit, all.size());
  }
}
