package io.blixard.cluster.membership;

import static io.blixard.cluster.FakeClusterView.justNow;
import static io.blixard.cluster.FakeClusterView.node;
import static io.blixard.cluster.FakeClusterView.voter;
import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.cluster.FakeClusterView;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.registry.CommandLog;
import io.blixard.cluster.registry.RegistryWriter;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.node.NodeProperties;
import io.blixard.proto.cluster.v1.RegistryCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** Self-registration over a fake view and a recording command log: no Raft. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SelfRegistrationTest {

  @TempDir Path dir;

  private final List<RegistryCommand> written = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private FakeClusterView view;
  private NodeIdentity identity;
  private SelfRegistration registration;

  @BeforeEach
  void create() {
    identity = NodeIdentity.loadOrCreate(DataDirectory.open(dir));
    NodeEndpoints endpoints =
        new NodeEndpoints(new NodeProperties(dir, "127.0.0.1", DataSize.ofMegabytes(1)));
    endpoints.publish(NodeEndpoints.Kind.GRPC, 7001);
    view = new FakeClusterView(identity.nodeId());
    CommandLog log =
        signed -> {
          var command = io.blixard.cluster.registry.RegistryCommands.command(signed);
          if (failuresLeft.getAndDecrement() > 0) {
            return CompletableFuture.failedFuture(new IllegalStateException("not leader"));
          }
          written.add(command);
          return CompletableFuture.completedFuture(null);
        };
    registration =
        new SelfRegistration(view, new RegistryWriter(log, identity), identity, endpoints);
  }

  @AfterEach
  void destroy() {
    registration.destroy();
  }

  private void member(Optional<io.blixard.node.NodeId> leader) {
    view.raft(
        leader.isPresent() ? RaftRole.LEADER : RaftRole.CANDIDATE,
        2,
        leader,
        voter(identity.nodeId(), RaftRole.LEADER, justNow()));
  }

  @Test
  void registersOnceALeaderIsKnownAndRetriesFailedWrites() throws Exception {
    member(Optional.empty());
    failuresLeft.set(2);

    CompletableFuture<Void> done = registration.register().toCompletableFuture();
    member(Optional.of(identity.nodeId()));
    done.get(20, TimeUnit.SECONDS);

    assertThat(written)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getUpsert().getNodeId()).isEqualTo(identity.nodeId().value());
              assertThat(c.getUpsert().getGrpcAddress()).isEqualTo("127.0.0.1:7001");
            });
    assertThat(failuresLeft.get()).as("both failed writes were retried").isNegative();
  }

  @Test
  void writesNothingWhenTheRegistryAlreadyHoldsTheAddresses() throws Exception {
    member(Optional.of(identity.nodeId()));
    registration.register().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(written).hasSize(1);
    // The fake's registry now holds what was written.
    var upsert = written.get(0).getUpsert();
    view.registeredAs(
        new io.blixard.cluster.RegisteredNode(
            identity.nodeId(),
            upsert.getRaftAddress(),
            upsert.getGrpcAddress(),
            upsert.getQuicAddress(),
            upsert.getHttpAddress(),
            java.time.Instant.ofEpochMilli(upsert.getJoinedAtMillis()),
            java.time.Instant.ofEpochMilli(upsert.getUpdatedAtMillis()),
            upsert.getCommandVersion()));

    registration.register().toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertThat(written).hasSize(1);
  }

  @Test
  void registersAgainWhenTheRecordReportsAnotherCommandSetVersion() throws Exception {
    member(Optional.of(identity.nodeId()));
    registration.register().toCompletableFuture().get(20, TimeUnit.SECONDS);
    var upsert = written.get(0).getUpsert();
    assertThat(upsert.getCommandVersion())
        .isEqualTo(io.blixard.cluster.registry.CommandVersions.build().highest());
    // The record as the previous build wrote it: same addresses, no version.
    view.registeredAs(
        new io.blixard.cluster.RegisteredNode(
            identity.nodeId(),
            upsert.getRaftAddress(),
            upsert.getGrpcAddress(),
            upsert.getQuicAddress(),
            upsert.getHttpAddress(),
            java.time.Instant.ofEpochMilli(upsert.getJoinedAtMillis()),
            java.time.Instant.ofEpochMilli(upsert.getUpdatedAtMillis()),
            0));

    registration.register().toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertThat(written).hasSize(2);
    assertThat(written.get(1).getUpsert().getCommandVersion())
        .isEqualTo(upsert.getCommandVersion());
  }

  @Test
  void aLeavingNodeDoesNotRegister() throws Exception {
    member(Optional.of(identity.nodeId()));
    registration.markLeaving();
    registration.register().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(written).isEmpty();
  }

  @Test
  void aNodeRemovedFromTheGroupDoesNotRegister() throws Exception {
    view.raft(
        RaftRole.FOLLOWER, 2, Optional.of(node(2)), voter(node(2), RaftRole.LEADER, justNow()));
    registration.register().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(written).isEmpty();
  }

  @Test
  void stopsWhenRaftIsNotRunning() throws Exception {
    registration.register().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(written).isEmpty();
  }
}
