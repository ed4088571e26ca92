package io.blixard.cluster.registry;

import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.NodeRecord;
import java.time.Instant;

/** Conversions between the registry's storage format and {@link RegisteredNode}. */
final class NodeRecords {

  private NodeRecords() {}

  static NodeRecord toRecord(RegisteredNode node) {
    return NodeRecord.newBuilder()
        .setNodeId(node.nodeId().value())
        .setRaftAddress(node.raftAddress())
        .setGrpcAddress(node.grpcAddress())
        .setQuicAddress(node.quicAddress())
        .setHttpAddress(node.httpAddress())
        .setJoinedAtMillis(node.joinedAt().toEpochMilli())
        .setUpdatedAtMillis(node.updatedAt().toEpochMilli())
        .setCommandVersion(node.commandVersion())
        .build();
  }

  static RegisteredNode toNode(NodeRecord r) {
    return new RegisteredNode(
        NodeId.parse(r.getNodeId()),
        r.getRaftAddress(),
        r.getGrpcAddress(),
        r.getQuicAddress(),
        r.getHttpAddress(),
        Instant.ofEpochMilli(r.getJoinedAtMillis()),
        Instant.ofEpochMilli(r.getUpdatedAtMillis()),
        r.getCommandVersion());
  }
}
