package io.blixard.cluster.raft;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.RaftTransportPlugIn;
import io.blixard.node.ListenerBindException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

/**
 * How {@code blixard.cluster.raft} becomes a Ratis configuration, and what the storage directory
 * and the port say before the server starts.
 */
final class RaftServerSettings {

  private RaftServerSettings() {}

  /** Ratis's properties for a server on {@code port} keeping its state in {@code storageDir}. */
  static RaftProperties raftProperties(ClusterProperties.Raft raft, Path storageDir, int port) {
    RaftProperties raftProperties = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(raftProperties, List.of(storageDir.toFile()));
    GrpcConfigKeys.Server.setHost(raftProperties, raft.bindAddress());
    GrpcConfigKeys.Server.setPort(raftProperties, port);
    RaftServerConfigKeys.Rpc.setTimeoutMin(raftProperties, duration(raft.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(raftProperties, duration(raft.electionTimeoutMax()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(raftProperties, duration(raft.requestTimeout()));
    // A leader that has not heard from a majority for this long steps down (Ratis's default is
    // 10 s); followers lose their leader after an election timeout. Both make readiness DOWN.
    RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(
        raftProperties, duration(raft.electionTimeoutMax().multipliedBy(2)));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(raftProperties, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(raftProperties, raft.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(raftProperties, true);
    return raftProperties;
  }

  /**
   * Raft on {@code transport} instead of Ratis's gRPC: Ratis loads its RPC type by class name, and
   * takes the properties the transport needs.
   */
  static void useTransport(RaftProperties raftProperties, RaftTransportPlugIn transport) {
    raftProperties.set(RaftConfigKeys.Rpc.TYPE_KEY, transport.rpcTypeClassName());
    transport.raftProperties().forEach(raftProperties::set);
  }

  /** The configured port when it is free, or a free one when the configured port is 0. */
  static int port(ClusterProperties.Raft raft) {
    return raft.port() == 0
        ? freePort(raft.bindAddress())
        : requireFree(raft.bindAddress(), raft.port());
  }

  /** The group whose directory Ratis left in the storage directory, if any. */
  static Optional<RaftGroupId> existingGroup(Path storageDir) {
    List<RaftGroupId> groups = new ArrayList<>();
    try (Stream<Path> entries = Files.list(storageDir)) {
      entries
          .filter(Files::isDirectory)
          .forEach(
              dir -> {
                try {
                  groups.add(RaftGroupId.valueOf(UUID.fromString(dir.getFileName().toString())));
                } catch (IllegalArgumentException notAGroup) {
                  // Not a Ratis group directory.
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + storageDir, e);
    }
    if (groups.size() > 1) {
      throw new IllegalStateException(
          storageDir
              + " holds "
              + groups.size()
              + " Raft groups "
              + groups
              + " (expected: at most one; remove the stale group directories)");
    }
    return groups.stream().findFirst();
  }

  /**
   * Fails with a clear message when the port is taken: Ratis itself would end the JVM on a failed
   * bind.
   */
  private static int requireFree(String bindAddress, int port) {
    return bind(new InetSocketAddress(bindAddress, port));
  }

  private static int freePort(String bindAddress) {
    return bind(new InetSocketAddress(bindAddress, 0));
  }

  private static int bind(InetSocketAddress address) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(address);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new ListenerBindException(
          "blixard.cluster.raft.port",
          "blixard.cluster.raft.bind-address",
          ListenerBindException.Protocol.TCP,
          address,
          e);
    }
  }

  static TimeDuration duration(Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }
}
