package io.blixard.security.web;

import io.blixard.node.NodeId;
import io.blixard.security.ClusterRoles;
import io.blixard.security.InvalidOperatorTokenException;
import io.blixard.security.OperatorTokens;
import io.blixard.security.Role;
import java.time.Clock;
import java.util.List;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Turns the bearer token that Spring Security's {@code BearerTokenAuthenticationFilter} found into
 * the caller's identity: the node id of the key that signed it, with {@code ROLE_OPERATOR} when
 * {@link ClusterRoles} says it is an operator. A valid token of anyone else authenticates without a
 * role, so that the refusal says "not an operator" (403) rather than "no credential" (401).
 */
final class OperatorTokenAuthenticationManager implements AuthenticationManager {

  private static final List<GrantedAuthority> OPERATOR =
      List.of(new SimpleGrantedAuthority(Role.OPERATOR.authority()));

  private final ClusterRoles roles;
  private final Clock clock;

  OperatorTokenAuthenticationManager(ClusterRoles roles, Clock clock) {
    this.roles = roles;
    this.clock = clock;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    if (!(authentication instanceof BearerTokenAuthenticationToken bearer)) {
      return null;
    }
    NodeId caller;
    try {
      caller = OperatorTokens.verify(bearer.getToken(), clock);
    } catch (InvalidOperatorTokenException e) {
      throw new RefusedTokenException(e);
    }
    return new OperatorAuthentication(caller, roles.isOperator(caller));
  }

  /** A caller known by its key: an operator or not. */
  static final class OperatorAuthentication extends AbstractAuthenticationToken {

    private final NodeId caller;

    OperatorAuthentication(NodeId caller, boolean operator) {
      super(operator ? OPERATOR : List.of());
      this.caller = caller;
      setAuthenticated(true);
    }

    NodeId caller() {
      return caller;
    }

    @Override
    public Object getCredentials() {
      return "";
    }

    @Override
    public Object getPrincipal() {
      return caller.value();
    }
  }

  /** A token that is no operator token: not one, tampered with, or expired. */
  static final class RefusedTokenException extends AuthenticationException {

    private final InvalidOperatorTokenException.Reason reason;

    RefusedTokenException(InvalidOperatorTokenException cause) {
      super(cause.getMessage());
      this.reason = cause.reason();
    }

    InvalidOperatorTokenException.Reason reason() {
      return reason;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      // Refused on every bad request: a stack trace would tell nothing new each time.
      return this;
    }
  }
}
