package io.blixard.cluster.raft;

import io.blixard.node.NodeIdentity;
import io.blixard.security.ClusterRoles;
import io.blixard.security.MemberTrust;
import io.blixard.security.SecurityProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.function.SingletonSupplier;

/**
 * The Raft port's security from {@code blixard.security.mode}: mutual TLS trusting the cluster's
 * members (secure, the default) or plaintext (insecure). Who is a member is the registry's {@link
 * ClusterRoles}.
 */
@AutoConfiguration
public class RaftSecurityAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  RaftTls raftTls(
      SecurityProperties security,
      NodeIdentity identity,
      ObjectProvider<ClusterRoles> roles,
      MeterRegistry meters) {
    if (!security.secure()) {
      return RaftTls.plaintext();
    }
    // Looked up on first use: the roles read the cluster view, which needs the Raft node.
    SingletonSupplier<ClusterRoles> lazyRoles = SingletonSupplier.of(roles::getObject);
    MemberTrust trust = new MemberTrust(identity.nodeId(), id -> lazyRoles.obtain().isMember(id));
    return RaftTls.mutual(identity, trust, meters);
  }
}
