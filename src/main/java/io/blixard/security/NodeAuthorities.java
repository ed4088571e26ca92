package io.blixard.security;

import io.blixard.node.NodeId;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.AuthenticationUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationProvider;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.authentication.preauth.x509.X509PrincipalExtractor;

/**
 * Turns a caller's certificate into a Spring Security authentication: the principal is the node id
 * the certificate's public key hashes to (never a name written in the certificate), the authorities
 * are the roles {@link ClusterRoles} gives that id now. The TLS handshake has proven that the
 * caller holds the key.
 */
public final class NodeAuthorities
    implements AuthenticationUserDetailsService<PreAuthenticatedAuthenticationToken> {

  /** Names a certificate by its node id. */
  public static final X509PrincipalExtractor NODE_ID =
      certificate -> NodeId.of(certificate.getPublicKey()).value();

  private final ClusterRoles roles;

  public NodeAuthorities(ClusterRoles roles) {
    this.roles = Objects.requireNonNull(roles, "roles");
  }

  @Override
  public UserDetails loadUserDetails(PreAuthenticatedAuthenticationToken token) {
    NodeId id =
        token.getCredentials() instanceof X509Certificate certificate
            ? NodeId.of(certificate.getPublicKey())
            : NodeId.parse(token.getName());
    List<GrantedAuthority> authorities = new ArrayList<>();
    if (roles.isMember(id)) {
      authorities.add(new SimpleGrantedAuthority(Role.MEMBER.authority()));
    }
    if (roles.isOperator(id)) {
      authorities.add(new SimpleGrantedAuthority(Role.OPERATOR.authority()));
    }
    return User.withUsername(id.value()).password("").authorities(authorities).build();
  }

  /** An authentication manager that authenticates certificate callers by their node id. */
  public AuthenticationManager authenticationManager() {
    PreAuthenticatedAuthenticationProvider provider = new PreAuthenticatedAuthenticationProvider();
    provider.setPreAuthenticatedUserDetailsService(this);
    return new ProviderManager(provider);
  }
}
