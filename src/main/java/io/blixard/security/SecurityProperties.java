package io.blixard.security;

import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How the node protects the cluster: mutual TLS between nodes, who may call what, and the operators
 * a new cluster starts with.
 *
 * @param mode {@code secure} (the default): TLS with client certificates on gRPC, QUIC and the Raft
 *     port, every call authorized by the caller's identity. {@code insecure}: plaintext gRPC and
 *     Raft and no authorization at all, for experiments on a trusted machine only.
 * @param readAccess Who may call the read-only services (health, status, monitoring, transport
 *     info): {@code members} (members and operators, the default) or {@code open} (anyone, for
 *     monitoring stacks that present no certificate).
 * @param operators Operator ids a new cluster starts with, written into the registry when the first
 *     node bootstraps; ignored by a node that joins or already has Raft state.
 * @param localOperator Whether the first node of a new cluster also makes the identity in {@code
 *     operator-dir} (created if missing) an operator, so that the command line of the user who
 *     started it works with no further step.
 * @param operatorDir Where the local operator identity lives; empty means the user's configuration
 *     directory ({@code $BLIXARD_CONFIG_DIR}, {@code $XDG_CONFIG_HOME/blixard} or {@code
 *     ~/.config/blixard}).
 * @param bootstrapToken A pre-shared join token, {@code <token id>.<secret>} (6 to 32 and 16 to 128
 *     lowercase letters and digits), that the first node of a new cluster creates as a reusable
 *     token without expiry, for deployments that start every node at once with the same settings
 *     (docker-compose, Helm). Joiners present it in {@code blixard.cluster.join-token}. Anyone who
 *     reads the deployment's settings can join with it, and it names no issuer for joiners to pin:
 *     revoke it ({@code blixard cluster token revoke ID}) once the cluster has formed. Empty (the
 *     default): the first node creates a one-time token valid 24 hours and shows it once in its
 *     log.
 */
@Validated
@ConfigurationProperties("blixard.security")
public record SecurityProperties(
    @DefaultValue("secure") @NotNull Mode mode,
    @DefaultValue("members") @NotNull ReadAccess readAccess,
    @DefaultValue List<String> operators,
    @DefaultValue("true") boolean localOperator,
    Path operatorDir,
    String bootstrapToken) {

  @ConstructorBinding
  public SecurityProperties {
    operators = operators == null ? List.of() : List.copyOf(operators);
    bootstrapToken = bootstrapToken == null ? "" : bootstrapToken.trim();
    if (!bootstrapToken.isEmpty()) {
      JoinCredential.parse("blixard.security.bootstrap-token", bootstrapToken);
    }
  }

  public SecurityProperties(
      Mode mode,
      ReadAccess readAccess,
      List<String> operators,
      boolean localOperator,
      Path operatorDir) {
    this(mode, readAccess, operators, localOperator, operatorDir, "");
  }

  /** Whether the node runs with TLS and authorization. */
  public enum Mode {
    SECURE,
    INSECURE
  }

  /** Who may call the read-only services. */
  public enum ReadAccess {
    MEMBERS,
    OPEN
  }

  public boolean secure() {
    return mode == Mode.SECURE;
  }

  /**
   * Whether {@code environment} runs the node in secure mode, for configuration read before the
   * properties are bound (the transports' own checks).
   */
  public static boolean secure(org.springframework.core.env.Environment environment) {
    return !"insecure"
        .equalsIgnoreCase(environment.getProperty("blixard.security.mode", "secure").trim());
  }

  /** The directory of the local operator identity. */
  public Path operatorDirectory() {
    return operatorDir == null ? OperatorIdentity.defaultDirectory() : operatorDir;
  }
}
