package io.blixard.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.NodeId;
import io.blixard.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MemberTrustTest {

  private static final NodeId SELF = id('a');
  private static final NodeId MEMBER = id('b');
  private static final NodeId SEED = id('c');
  private static final NodeId STRANGER = id('d');

  private static NodeId id(char c) {
    return new NodeId(String.valueOf(c).repeat(52));
  }

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T00:00:00Z"));
  private final MemberTrust trust = new MemberTrust(SELF, Set.of(MEMBER)::contains, clock);

  @Test
  void shouldTrustItselfAndMembersButNoStranger() {
    assertThat(trust.test(SELF)).isTrue();
    assertThat(trust.test(MEMBER)).isTrue();
    assertThat(trust.test(STRANGER)).isFalse();
  }

  @Test
  void shouldTrustAProvisionalIdUntilItsTimeIsUp() {
    trust.trustProvisionally(List.of(SEED), Duration.ofMinutes(5));
    assertThat(trust.test(SEED)).isTrue();

    clock.advance(Duration.ofMinutes(5));

    assertThat(trust.test(SEED)).isFalse();
  }

  @Test
  void shouldForgetAProvisionalIdButNotAMember() {
    trust.trustProvisionally(List.of(SEED, MEMBER), Duration.ofMinutes(5));

    trust.forget(SEED);
    trust.forget(MEMBER);

    assertThat(trust.test(SEED)).isFalse();
    assertThat(trust.test(MEMBER)).isTrue();
  }

  @Test
  void shouldKeepTheLaterExpiryWhenTrustedAgain() {
    trust.trustProvisionally(List.of(SEED), Duration.ofMinutes(5));
    trust.trustProvisionally(List.of(SEED), Duration.ofMinutes(1));

    clock.advance(Duration.ofMinutes(2));

    assertThat(trust.test(SEED)).isTrue();
  }

  @Test
  void shouldHoldNoMoreThanItsLimitOfProvisionalIds() {
    List<NodeId> flood =
        java.util.stream.IntStream.range(0, MemberTrust.MAX_PROVISIONAL + 10)
            .mapToObj(i -> NodeId.ofSubjectPublicKeyInfo(new byte[] {(byte) i, (byte) (i >> 8)}))
            .toList();
    trust.trustProvisionally(flood, Duration.ofMinutes(5));

    assertThat(flood.stream().filter(trust)).hasSize(MemberTrust.MAX_PROVISIONAL);
  }
}
