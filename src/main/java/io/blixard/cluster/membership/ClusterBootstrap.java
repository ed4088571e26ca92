package io.blixard.cluster.membership;

import com.google.protobuf.ByteString;
import io.blixard.cluster.InitialStrategy;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.Bootstrap;
import io.blixard.proto.cluster.v1.JoinToken;
import io.blixard.proto.cluster.v1.Operator;
import io.blixard.security.JoinCredential;
import io.blixard.security.OperatorIdentity;
import io.blixard.security.SecurityProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * What the first node of a new cluster writes as the cluster's first command: the operators ({@code
 * blixard.security.operators}, plus the local operator identity when {@code local-operator} is on),
 * one join token (the pre-shared {@code blixard.security.bootstrap-token}, or a new one shown once
 * in the log), the node's own record, and the migration strategy of its configuration as the
 * cluster's first. The token is made once per process, so that retries of the bootstrap propose the
 * same one.
 */
@Component
public class ClusterBootstrap {

  private static final Logger log = LoggerFactory.getLogger(ClusterBootstrap.class);

  /** How long the token the first node shows stays valid. */
  static final Duration TOKEN_VALIDITY = Duration.ofHours(24);

  private final SecurityProperties properties;
  private final NodeId nodeId;
  private final JoinCredential token;
  private final boolean preShared;
  private final ObjectProvider<InitialStrategy> initialStrategy;

  public ClusterBootstrap(
      SecurityProperties properties,
      NodeIdentity identity,
      ObjectProvider<InitialStrategy> initialStrategy) {
    this.properties = properties;
    this.initialStrategy = initialStrategy;
    this.nodeId = identity.nodeId();
    this.preShared = !properties.bootstrapToken().isEmpty();
    this.token =
        preShared
            ? JoinCredential.parse("blixard.security.bootstrap-token", properties.bootstrapToken())
            : JoinCredential.generate(Optional.of(nodeId));
  }

  /** The bootstrap command for {@code self}, this node's record. */
  Bootstrap command(RegisteredNode self) {
    Map<String, Operator> operators = new LinkedHashMap<>();
    for (String id : properties.operators()) {
      NodeId parsed = NodeId.parse(id);
      operators.put(
          parsed.value(),
          Operator.newBuilder()
              .setNodeId(parsed.value())
              .setName("blixard.security.operators")
              .build());
    }
    if (properties.localOperator()) {
      NodeId local = OperatorIdentity.loadOrCreate(properties.operatorDirectory()).nodeId();
      operators.putIfAbsent(
          local.value(),
          Operator.newBuilder()
              .setNodeId(local.value())
              .setName("local operator in " + properties.operatorDirectory())
              .build());
    }
    JoinToken.Builder joinToken =
        JoinToken.newBuilder()
            .setTokenId(token.id())
            .setSecretSha256(ByteString.copyFrom(token.secretHash()))
            .setReusable(true);
    if (!preShared) {
      joinToken
          .setIssuerNodeId(nodeId.value())
          .setExpiresAtMillis(Instant.now().plus(TOKEN_VALIDITY).toEpochMilli());
    }
    Bootstrap.Builder bootstrap =
        Bootstrap.newBuilder()
            .addAllOperators(operators.values())
            .setToken(joinToken)
            .setNode(RegistryCommands.record(self));
    initialStrategy.ifAvailable(
        strategy -> bootstrap.setInitialStrategy(ByteString.copyFrom(strategy.serialized())));
    return bootstrap.build();
  }

  /** Says what the bootstrap did, once it is committed: the operators and the token. */
  void bootstrapped(Bootstrap bootstrap) {
    if (bootstrap.getOperatorsCount() == 0) {
      log.warn(
          "Bootstrapped the cluster with no operator: nobody can admit nodes or create tokens"
              + " (expected: blixard.security.operators or blixard.security.local-operator=true)");
    } else {
      bootstrap
          .getOperatorsList()
          .forEach(o -> log.info("Cluster operator {} ({})", o.getNodeId(), o.getName()));
    }
    if (preShared) {
      log.info(
          "Join token {} from blixard.security.bootstrap-token is valid for every node until"
              + " revoked (blixard cluster token revoke {})",
          token.id(),
          token.id());
    } else {
      log.info("join token (shown once, valid {} h): {}", TOKEN_VALIDITY.toHours(), token.text());
    }
  }
}
