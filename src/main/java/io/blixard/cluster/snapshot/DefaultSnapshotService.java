package io.blixard.cluster.snapshot;

import io.blixard.cluster.SnapshotService;
import io.blixard.cluster.raft.RaftNode;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.node.NodeIdentity;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Service;

/** Saves this node's state machine state, as it applied it last, into a {@link SnapshotFile}. */
@Service
public class DefaultSnapshotService implements SnapshotService {

  private static final Logger log = LoggerFactory.getLogger(DefaultSnapshotService.class);

  private final RaftNode raft;
  private final NodeIdentity identity;
  private final NodeRegistry registry;
  private final Clock clock;

  @Autowired
  public DefaultSnapshotService(RaftNode raft, NodeIdentity identity, NodeRegistry registry) {
    this(raft, identity, registry, Clock.systemUTC());
  }

  DefaultSnapshotService(RaftNode raft, NodeIdentity identity, NodeRegistry registry, Clock clock) {
    this.raft = raft;
    this.identity = identity;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public byte[] save() {
    SnapshotFile file =
        SnapshotFile.of(
            raft.committedState(), identity.nodeId(), registry.commandVersion(), clock.instant());
    log.info(
        "Saved a snapshot of group {} at index {} (term {}): {} nodes, {} bytes, sha256 {}",
        file.groupId(),
        file.index(),
        file.term(),
        file.registry().getNodesCount(),
        file.size(),
        file.checksum());
    return file.bytes();
  }
}
