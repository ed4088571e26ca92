package io.blixard.transport.quic.raft;

import io.blixard.cluster.RaftTransportPlugIn;
import io.blixard.transport.quic.server.QuicRpcServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.springframework.util.unit.DataSize;

/**
 * Raft over QUIC as the Raft engine's transport plug-in: Ratis's RPC type {@link QuicRpcType}, the
 * {@link QuicRaftEndpoint} for its factory, Ratis's buffer and snapshot-chunk sizes at half the
 * QUIC frame limit (so that an appendEntries or a snapshot chunk, with its headers, always fits one
 * frame), and the node's QUIC listener as Raft's: it opens before the Raft server starts.
 */
public final class QuicRaftTransport implements RaftTransportPlugIn {

  private final QuicRaftEndpoint endpoint;
  private final Supplier<QuicRpcServer> server;
  private final long maxFrameBytes;

  /**
   * @param server the node's QUIC server, looked up when Raft starts (the server serves services
   *     that need the Raft node, so it cannot be built before it)
   */
  public QuicRaftTransport(
      QuicRaftEndpoint endpoint, Supplier<QuicRpcServer> server, DataSize maxFrameSize) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.server = Objects.requireNonNull(server, "server");
    this.maxFrameBytes = maxFrameSize.toBytes();
  }

  @Override
  public String name() {
    return "quic";
  }

  @Override
  public String rpcTypeClassName() {
    return QuicRpcType.class.getName();
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of(QuicRaftEndpoint.PARAMETER, endpoint);
  }

  @Override
  public Map<String, String> raftProperties() {
    SizeInBytes half = SizeInBytes.valueOf(maxFrameBytes / 2);
    RaftProperties sizes = new RaftProperties();
    RaftServerConfigKeys.Log.Appender.setBufferByteLimit(sizes, half);
    RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(sizes, half);
    Map<String, String> properties = new LinkedHashMap<>();
    for (String key :
        new String[] {
          RaftServerConfigKeys.Log.Appender.BUFFER_BYTE_LIMIT_KEY,
          RaftServerConfigKeys.Log.Appender.SNAPSHOT_CHUNK_SIZE_MAX_KEY
        }) {
      properties.put(key, sizes.get(key));
    }
    return properties;
  }

  @Override
  public boolean reachesMembersByRegisteredAddress() {
    return true;
  }

  @Override
  public int listen() {
    QuicRpcServer quic = server.get();
    if (quic == null) {
      throw new IllegalStateException(
          "blixard.transport.strategy.raft-transport=always-quic but this node has no QUIC"
              + " listener (expected: blixard.transport.mode quic or dual)");
    }
    quic.start();
    return quic.port();
  }
}
