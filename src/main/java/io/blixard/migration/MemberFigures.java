package io.blixard.migration;

import java.time.Duration;
import java.util.List;

/** Where the canary guard collects every member's transport figures from. */
@FunctionalInterface
public interface MemberFigures {

  /**
   * The figures of every member of the registry, this node's included, as each answers within
   * {@code timeout}; a member that does not answer (or counts in other buckets) is left out.
   */
  List<NodeFigures> collect(Duration timeout);
}
