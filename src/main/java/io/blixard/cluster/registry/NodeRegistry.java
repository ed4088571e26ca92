package io.blixard.cluster.registry;

import io.blixard.cluster.RegisteredNode;
import io.blixard.proto.cluster.v1.NodeRecord;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.RegistrySnapshot;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The registry as this node has applied it: every node's record by node id. The Raft state machine
 * applies committed {@link RegistryCommand}s here in log order and snapshots it; readers get
 * immutable copies.
 */
@Component
public class NodeRegistry {

  private static final Logger log = LoggerFactory.getLogger(NodeRegistry.class);

  // Guarded by "this".
  private final Map<String, NodeRecord> records = new TreeMap<>();

  /** The nodes, ordered by node id. */
  public synchronized List<RegisteredNode> nodes() {
    return records.values().stream().map(NodeRecords::toNode).toList();
  }

  /**
   * Applies one committed command. An upsert of a known node keeps its first join time.
   *
   * @param index the command's log index, for the log
   */
  public synchronized void apply(RegistryCommand command, long index) {
    switch (command.getCommandCase()) {
      case UPSERT -> {
        NodeRecord incoming = command.getUpsert();
        NodeRecord existing = records.get(incoming.getNodeId());
        NodeRecord stored =
            existing == null
                ? incoming
                : incoming.toBuilder().setJoinedAtMillis(existing.getJoinedAtMillis()).build();
        records.put(stored.getNodeId(), stored);
      }
      case REMOVE -> records.remove(command.getRemove());
      case COMMAND_NOT_SET -> log.warn("Empty registry command at index {}", index);
    }
  }

  /** The whole registry in its snapshot format. */
  public synchronized RegistrySnapshot snapshot() {
    return RegistrySnapshot.newBuilder().addAllNodes(records.values()).build();
  }

  /** Replaces the registry with a snapshot's content. */
  public synchronized void restore(RegistrySnapshot snapshot) {
    records.clear();
    snapshot.getNodesList().forEach(n -> records.put(n.getNodeId(), n));
  }
}
