package io.blixard.security;

import io.blixard.node.NodeId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Whose certificate a node accepts between nodes: its own, a member's, or, for a few minutes, a
 * node that is not yet a member here but is about to be one: a member a joining node learned before
 * its registry caught up, or a node being added while the configuration that names it is not
 * committed yet.
 */
public final class MemberTrust implements Predicate<NodeId> {

  /** How long a provisional id stays trusted unless it becomes a member. */
  public static final Duration PROVISIONAL = Duration.ofMinutes(5);

  /** More provisional ids than this are a flood, not a join: the oldest are dropped. */
  static final int MAX_PROVISIONAL = 1024;

  private final NodeId self;
  private final Predicate<NodeId> members;
  private final Clock clock;
  private final Map<NodeId, Instant> provisional = new ConcurrentHashMap<>();

  /**
   * @param members whether an id is a member now (in the registry or the Raft configuration), as
   *     {@link ClusterRoles#isMember} answers
   */
  public MemberTrust(NodeId self, Predicate<NodeId> members) {
    this(self, members, Clock.systemUTC());
  }

  MemberTrust(NodeId self, Predicate<NodeId> members, Clock clock) {
    this.self = Objects.requireNonNull(self, "self");
    this.members = Objects.requireNonNull(members, "members");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Trusts {@code ids} for {@code ttl} from now, or extends their trust to it. */
  public void trustProvisionally(Collection<NodeId> ids, Duration ttl) {
    Instant until = clock.instant().plus(ttl);
    if (provisional.size() + ids.size() > MAX_PROVISIONAL) {
      Instant now = clock.instant();
      provisional.values().removeIf(expiry -> !expiry.isAfter(now));
    }
    for (NodeId id : ids) {
      if (provisional.size() >= MAX_PROVISIONAL) {
        break;
      }
      provisional.merge(id, until, (a, b) -> a.isAfter(b) ? a : b);
    }
  }

  /** Trusts {@code id} for {@link #PROVISIONAL} from now. */
  public void trustProvisionally(NodeId id) {
    trustProvisionally(List.of(id), PROVISIONAL);
  }

  /** Ends the provisional trust of {@code id}, as when adding it failed; members stay trusted. */
  public void forget(NodeId id) {
    provisional.remove(id);
  }

  /** Whether a peer with this id is trusted now. */
  @Override
  public boolean test(NodeId id) {
    if (self.equals(id) || members.test(id)) {
      return true;
    }
    Instant until = provisional.get(id);
    if (until == null) {
      return false;
    }
    if (clock.instant().isBefore(until)) {
      return true;
    }
    provisional.remove(id, until);
    return false;
  }
}
