package io.blixard.security;

import io.blixard.node.NodeId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster roles from the configuration, until the registry keeps the operator list: the operators
 * are {@code blixard.security.operators} and, with {@code local-operator}, the identity in {@code
 * operator-dir}. That identity is read from its certificate when first needed (a command line run
 * after the node started creates it), never created here, and its private key is never read.
 */
public final class StandInClusterRoles implements ClusterRoles {

  private static final Logger log = LoggerFactory.getLogger(StandInClusterRoles.class);

  private final Set<NodeId> configured;
  private final Path localCertificate;
  private final Predicate<NodeId> members;
  private final AtomicReference<NodeId> local = new AtomicReference<>();

  /**
   * @param members who is a member: the node's view of the registry and the Raft group
   */
  public StandInClusterRoles(SecurityProperties properties, Predicate<NodeId> members) {
    this.configured = parse(properties.operators());
    this.localCertificate =
        properties.localOperator()
            ? properties.operatorDirectory().resolve(OperatorIdentity.CERTIFICATE_FILE)
            : null;
    this.members = members;
  }

  private static Set<NodeId> parse(Collection<String> ids) {
    return ids == null
        ? Set.of()
        : ids.stream().map(NodeId::parse).collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public boolean isMember(NodeId id) {
    return members.test(id);
  }

  @Override
  public boolean isOperator(NodeId id) {
    return configured.contains(id) || id.equals(localOperator());
  }

  private NodeId localOperator() {
    NodeId known = local.get();
    if (known != null || localCertificate == null || !Files.isRegularFile(localCertificate)) {
      return known;
    }
    try (InputStream in = Files.newInputStream(localCertificate)) {
      NodeId id =
          NodeId.of(CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey());
      if (local.compareAndSet(null, id)) {
        log.info("Local operator {} (from {})", id, localCertificate);
      }
      return id;
    } catch (IOException | GeneralSecurityException e) {
      log.warn(
          "Cannot read the local operator's certificate {}: {}", localCertificate, e.toString());
      return null;
    }
  }
}
