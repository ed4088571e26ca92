package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ClusterView} made of plain values, for tests of what reads the cluster: no Raft, no
 * Spring. Contacts are relative to the moment they are set, and the peer timeout is a minute, so a
 * contact "now" is within it and one an hour ago is not, whatever the machine's speed.
 */
public final class FakeClusterView implements ClusterView {

  private final NodeId self;
  private final List<RegisteredNode> registry = new ArrayList<>();
  private final Map<NodeId, PeerProbe> probes = new ConcurrentHashMap<>();
  private volatile RaftState state;
  private volatile List<RaftState.FollowerProgress> followers = List.of();
  private volatile long leaderChanges;

  public FakeClusterView(NodeId self) {
    this.self = self;
  }

  /** A node id made from a number, the same for the same number. */
  public static NodeId node(int n) {
    return NodeId.ofSubjectPublicKeyInfo(new byte[] {(byte) n});
  }

  /** A contact within the peer timeout. */
  public static Optional<Instant> justNow() {
    return Optional.of(Instant.now());
  }

  /** A contact far outside the peer timeout. */
  public static Optional<Instant> longAgo() {
    return Optional.of(Instant.now().minus(Duration.ofHours(1)));
  }

  /** A voter of the configuration. */
  public static RaftState.Member voter(NodeId id, RaftRole role, Optional<Instant> contact) {
    return new RaftState.Member(id, "10.0.0.1:7000", true, role, contact);
  }

  /** Raft runs here in this role and term, with this leader and these members. */
  public FakeClusterView raft(
      RaftRole role, long term, Optional<NodeId> leader, RaftState.Member... members) {
    state =
        new RaftState(
            self,
            "3f1d3a3c-0000-4000-8000-000000000001",
            role,
            term,
            leader,
            40,
            39,
            41,
            List.of(members),
            followers);
    return this;
  }

  /** On the leader, how far each follower lags; applies to the next {@link #raft} call. */
  public FakeClusterView lagging(NodeId follower, long lag) {
    List<RaftState.FollowerProgress> more = new ArrayList<>(followers);
    more.add(new RaftState.FollowerProgress(follower, 40 - lag, 41 - lag, lag, 5));
    followers = List.copyOf(more);
    return this;
  }

  /** The node is in the registry, with addresses derived from its short id. */
  public synchronized FakeClusterView registered(NodeId id) {
    Instant joined = Instant.parse("2026-01-01T00:00:00Z");
    registry.add(
        new RegisteredNode(
            id,
            id.shortForm() + ":7000",
            id.shortForm() + ":7001",
            id.shortForm() + ":7002",
            id.shortForm() + ":8080",
            joined,
            joined));
    registry.sort(Comparator.comparing(n -> n.nodeId().value()));
    return this;
  }

  /** This record is in the registry. */
  public synchronized FakeClusterView registeredAs(RegisteredNode node) {
    registry.removeIf(n -> n.nodeId().equals(node.nodeId()));
    registry.add(node);
    registry.sort(Comparator.comparing(n -> n.nodeId().value()));
    return this;
  }

  /** The last Ping probe of the peer was answered (with that contact) or failed. */
  public FakeClusterView probed(NodeId id, boolean answered, Optional<Instant> lastContact) {
    probes.put(
        id,
        new PeerProbe(
            id,
            id.shortForm() + ":7001",
            answered,
            lastContact.map(c -> Duration.ofMillis(2)),
            lastContact,
            answered ? Optional.empty() : Optional.of("UNAVAILABLE: connection refused"),
            Instant.now()));
    return this;
  }

  public FakeClusterView leaderChanges(long changes) {
    leaderChanges = changes;
    return this;
  }

  @Override
  public NodeId nodeId() {
    return self;
  }

  @Override
  public Optional<RaftState> state() {
    return Optional.ofNullable(state);
  }

  @Override
  public synchronized List<RegisteredNode> registry() {
    return List.copyOf(registry);
  }

  @Override
  public Optional<PeerProbe> probe(NodeId peer) {
    return Optional.ofNullable(probes.get(peer));
  }

  @Override
  public Duration peerTimeout() {
    return Duration.ofMinutes(1);
  }

  @Override
  public long leaderChanges() {
    return leaderChanges;
  }
}
