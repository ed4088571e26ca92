package io.blixard.cluster.membership;

import com.google.protobuf.ByteString;
import io.blixard.cluster.AccessDeniedException;
import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.GuardWrites;
import io.blixard.cluster.registry.CommandRefusal;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryWriter;
import io.blixard.proto.cluster.v1.GuardStrategy;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SignedCommand;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * Signs a canary guard's change as this node, checks it against this node's registry first (so a
 * refusal needs no Raft round), and writes it to the Raft log.
 */
@Service
public class DefaultGuardWrites implements GuardWrites {

  private final ClusterView view;
  private final RegistryWriter writer;
  private final NodeRegistry registry;
  private final ClusterProperties properties;

  public DefaultGuardWrites(
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
  public void change(
      byte[] strategy, String service, String change, String reason, long baseVersion) {
    SignedCommand signed =
        writer.sign(
            RegistryCommand.newBuilder()
                .setGuardStrategy(
                    GuardStrategy.newBuilder()
                        .setStrategy(ByteString.copyFrom(strategy))
                        .setService(service)
                        .setChange(change)
                        .setReason(reason)
                        .setBaseVersion(baseVersion)));
    Optional<CommandRefusal> refusal =
        registry.check(signed, Instant.now(), view.requireState().memberIds());
    if (refusal.isPresent()) {
      throw new AccessDeniedException(refusal.get().reason(), refusal.get().message());
    }
    RegistryWrites.await(
        writer.forward(signed),
        properties.raft().requestTimeout().multipliedBy(2),
        "change the strategy of " + service + " as its canary guard");
  }
}
