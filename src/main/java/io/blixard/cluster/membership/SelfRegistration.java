package io.blixard.cluster.membership;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.registry.CommandVersions;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryWriter;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeEndpoints.Kind;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.Bootstrap;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Writes this node's addresses and command-set version into the registry once every listener is
 * bound and Raft has a leader, and again whenever they change (e.g. a port after a restart, or a
 * new build after an upgrade: the cluster version moves up only through these records). Retries
 * with an exponential backoff in the background; start-up never waits for it. A node that is
 * leaving, or that is no longer in the group, does not register.
 */
@Component
public class SelfRegistration implements DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(SelfRegistration.class);
  static final Duration FIRST_RETRY = Duration.ofMillis(100);
  static final Duration MAX_RETRY = Duration.ofSeconds(5);

  private final ClusterView view;
  private final RegistryWriter registry;
  private final NodeIdentity identity;
  private final NodeEndpoints endpoints;
  private final Retry retry =
      Retry.of(
          "blixard-self-registration",
          RetryConfig.custom()
              .maxAttempts(Integer.MAX_VALUE)
              .intervalFunction(IntervalFunction.ofExponentialBackoff(FIRST_RETRY, 2.0, MAX_RETRY))
              .retryOnException(e -> e instanceof Deferred || e.getCause() instanceof Deferred)
              .build());
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "blixard-self-registration");
            t.setDaemon(true);
            return t;
          });
  private final NodeRegistry state;
  private final ClusterBootstrap bootstrap;
  private final int commandVersion;
  private volatile boolean leaving;

  /** Registers only: the cluster is taken as bootstrapped already. */
  public SelfRegistration(
      ClusterView view, RegistryWriter registry, NodeIdentity identity, NodeEndpoints endpoints) {
    this(view, registry, identity, endpoints, null, null);
  }

  /**
   * @param state the applied registry, to see whether the cluster was bootstrapped
   * @param bootstrap what this node writes first when it leads a cluster that was not
   */
  @Autowired
  public SelfRegistration(
      ClusterView view,
      RegistryWriter registry,
      NodeIdentity identity,
      NodeEndpoints endpoints,
      NodeRegistry state,
      ClusterBootstrap bootstrap) {
    this.view = view;
    this.registry = registry;
    this.identity = identity;
    this.endpoints = endpoints;
    this.state = state;
    this.bootstrap = bootstrap;
    this.commandVersion =
        state == null ? CommandVersions.build().highest() : state.commandVersion();
    retry
        .getEventPublisher()
        .onRetry(
            e ->
                log.debug(
                    "Registration deferred ({}); retrying in {}",
                    e.getLastThrowable().getMessage(),
                    e.getWaitInterval()));
  }

  @EventListener(ApplicationReadyEvent.class)
  public void onReady() {
    register();
  }

  /**
   * Registers in the background, retrying until it is done or not wanted; completes then, or never
   * while Raft has no leader.
   */
  CompletionStage<Void> register() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    executor.execute(
        () ->
            retry
                .executeCompletionStage(executor, this::attempt)
                .whenComplete(
                    (ok, error) -> {
                      if (error == null) {
                        done.complete(null);
                      } else {
                        done.completeExceptionally(error);
                      }
                    }));
    return done;
  }

  /** Records that this node is leaving the group: it must not register itself again. */
  void markLeaving() {
    leaving = true;
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
        now,
        commandVersion);
  }

  private Optional<RegisteredNode> current() {
    return view.registry().stream().filter(n -> n.nodeId().equals(identity.nodeId())).findFirst();
  }

  /** One try: done, or failed with {@link Deferred} when a later try may succeed. */
  private CompletionStage<Void> attempt() {
    Optional<RaftState> current = view.state();
    if (current.isEmpty() || executor.isShutdown()) {
      return CompletableFuture.completedFuture(null);
    }
    RaftState raft = current.get();
    RegisteredNode desired = desired();
    if (state != null && bootstrap != null && !state.bootstrapped()) {
      return bootstrap(raft, desired);
    }
    if (current()
        .filter(desired::sameAddresses)
        .filter(r -> r.commandVersion() == commandVersion)
        .isPresent()) {
      log.debug("Registry already holds this node's addresses and command-set version");
      return CompletableFuture.completedFuture(null);
    }
    boolean member = raft.members().stream().anyMatch(m -> m.nodeId().equals(identity.nodeId()));
    if (leaving || !raft.members().isEmpty() && !member) {
      // It left (or was removed from) the group: registering again would bring it back.
      log.info("Not registering: this node is not a member of Raft group {}", raft.groupId());
      return CompletableFuture.completedFuture(null);
    }
    if (raft.leaderId().isEmpty()) {
      return CompletableFuture.failedFuture(new Deferred("no Raft leader yet"));
    }
    return registry
        .register(desired)
        .handle(
            (ok, error) -> {
              if (error != null) {
                throw new Deferred(error.toString());
              }
              log.info(
                  "Registered node {} (raft {}, grpc {}, quic {}, http {}, command-set version {})",
                  desired.nodeId().shortForm(),
                  desired.raftAddress(),
                  desired.grpcAddress(),
                  desired.quicAddress(),
                  desired.httpAddress(),
                  desired.commandVersion());
              return null;
            });
  }

  /**
   * The leader of a cluster that was never bootstrapped writes its first command; any other node
   * waits until it sees it applied.
   */
  private CompletionStage<Void> bootstrap(RaftState raft, RegisteredNode desired) {
    if (!raft.isLeader()) {
      return CompletableFuture.failedFuture(
          new Deferred("the cluster is not bootstrapped yet; its leader does that"));
    }
    Bootstrap command = bootstrap.command(desired);
    return registry
        .bootstrap(command)
        .handle(
            (ok, error) -> {
              if (error != null) {
                throw new Deferred("bootstrap: " + error);
              }
              log.info("Bootstrapped the cluster as node {}", desired.nodeId().shortForm());
              bootstrap.bootstrapped(command);
              return null;
            });
  }

  @Override
  public void destroy() {
    executor.shutdownNow();
  }

  /** Registration cannot happen yet; a later try may succeed. */
  private static final class Deferred extends RuntimeException {
    Deferred(String reason) {
      super(reason, null, false, false);
    }
  }
}
