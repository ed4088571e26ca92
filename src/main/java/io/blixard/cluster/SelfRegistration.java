package io.blixard.cluster;

import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeEndpoints.Kind;
import io.blixard.node.NodeIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Writes this node's addresses into the registry once every listener is bound and Raft has a
 * leader, and again whenever they change (e.g. a port after a restart). Retries with backoff in the
 * background; start-up never waits for it.
 */
@Component
public class SelfRegistration implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(SelfRegistration.class);
  private static final Duration FIRST_RETRY = Duration.ofMillis(100);
  private static final Duration MAX_RETRY = Duration.ofSeconds(5);

  private final RaftNode raft;
  private final NodeIdentity identity;
  private final NodeEndpoints endpoints;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "blixard-self-registration");
            t.setDaemon(true);
            return t;
          });

  public SelfRegistration(RaftNode raft, NodeIdentity identity, NodeEndpoints endpoints) {
    this.raft = raft;
    this.identity = identity;
    this.endpoints = endpoints;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void onReady() {
    executor.execute(() -> attempt(FIRST_RETRY));
  }

  /** The record this node should have in the registry now. */
  RegisteredNode desired() {
    Instant now = Instant.now();
    Instant joinedAt = current().map(RegisteredNode::joinedAt).orElse(now);
    return new RegisteredNode(
        identity.nodeId(),
        endpoints.hostAndPort(Kind.RAFT),
        endpoints.hostAndPort(Kind.GRPC),
        endpoints.hostAndPort(Kind.QUIC),
        endpoints.hostAndPort(Kind.HTTP),
        joinedAt,
        now);
  }

  private Optional<RegisteredNode> current() {
    return raft.registry().stream().filter(n -> n.nodeId().equals(identity.nodeId())).findFirst();
  }

  private void attempt(Duration backoff) {
    if (!raft.isRunning()) {
      return;
    }
    RegisteredNode desired = desired();
    if (current().filter(desired::sameAddresses).isPresent()) {
      log.debug("Registry already holds this node's addresses");
      return;
    }
    Optional<RaftState> state = raft.state();
    boolean member =
        state
            .map(s -> s.members().stream().anyMatch(m -> m.nodeId().equals(identity.nodeId())))
            .orElse(false);
    if (raft.isLeaving() || state.isPresent() && !state.get().members().isEmpty() && !member) {
      // It left (or was removed from) the group: registering again would bring it back.
      log.info(
          "Not registering: this node is not a member of Raft group {}", state.get().groupId());
      return;
    }
    boolean leaderKnown = state.flatMap(RaftState::leaderId).isPresent();
    if (!leaderKnown) {
      retry(backoff, "no Raft leader yet");
      return;
    }
    raft.register(desired)
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                log.info(
                    "Registered node {} (raft {}, grpc {}, quic {}, http {})",
                    desired.nodeId().shortForm(),
                    desired.raftAddress(),
                    desired.grpcAddress(),
                    desired.quicAddress(),
                    desired.httpAddress());
              } else {
                retry(backoff, error.toString());
              }
            });
  }

  private void retry(Duration backoff, String reason) {
    if (executor.isShutdown()) {
      return;
    }
    log.debug("Registration deferred ({}); retrying in {}", reason, backoff);
    Duration next =
        backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff.multipliedBy(2);
    executor.schedule(() -> attempt(next), backoff.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void destroy() {
    executor.shutdownNow();
  }
}
