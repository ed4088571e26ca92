package io.blixard.security;

import io.blixard.node.NodeId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.security.authorization.AuthenticatedAuthorizationManager;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationManagers;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;

/**
 * The one authorization policy of the node, for every transport: which callers may call each
 * service and method. A method the policy does not name is denied. Callers are Spring Security
 * {@link Authentication}s whose name is the node id their certificate hashes to and whose
 * authorities are their roles ({@link NodeAuthorities}); each rule is a Spring Security {@link
 * AuthorizationManager}.
 */
public final class AccessPolicy {

  /** Who may call a method. */
  public enum Rule {
    /** Anyone, with or without a certificate. */
    OPEN("anyone"),
    /** Members and operators (or anyone, when read access is open). */
    READ("a member's or an operator's certificate"),
    /** Any caller with a certificate; the service itself checks admission (joining nodes). */
    IDENTIFIED("a client certificate"),
    /** Operators only. */
    OPERATOR("an operator's certificate"),
    /**
     * Operators, or the node the request names in its {@code node_id} field (an empty field names
     * the node that answers).
     */
    OPERATOR_OR_SELF("an operator's certificate, or the certificate of the node it names");

    private final String expected;

    Rule(String expected) {
      this.expected = expected;
    }

    /** What this rule asks of a caller, for refusal messages. */
    public String expected() {
      return expected;
    }
  }

  /** A call to decide: its method and, for {@link Rule#OPERATOR_OR_SELF}, the node it names. */
  public record Call(String method, Optional<NodeId> subject) {}

  /** The request field that names the subject of an {@link Rule#OPERATOR_OR_SELF} method. */
  public static final String SUBJECT_FIELD = "node_id";

  private final Map<String, Rule> rules;
  private final boolean openReads;
  private final Map<Rule, AuthorizationManager<Call>> managers;

  AccessPolicy(Map<String, Rule> rules, boolean openReads) {
    this.rules = Map.copyOf(rules);
    this.openReads = openReads;
    AuthorizationManager<Call> operator =
        AuthorityAuthorizationManager.hasRole(Role.OPERATOR.name());
    AuthorizationManager<Call> self =
        (authentication, call) -> {
          Authentication caller = authentication.get();
          return new AuthorizationDecision(
              caller != null
                  && call.subject()
                      .map(NodeId::value)
                      .filter(caller.getName()::equals)
                      .isPresent());
        };
    this.managers =
        Map.of(
            Rule.OPEN,
            (authentication, call) -> new AuthorizationDecision(true),
            Rule.READ,
            openReads
                ? (authentication, call) -> new AuthorizationDecision(true)
                : AuthorityAuthorizationManager.hasAnyRole(
                    Role.MEMBER.name(), Role.OPERATOR.name()),
            Rule.IDENTIFIED,
            AuthenticatedAuthorizationManager.authenticated(),
            Rule.OPERATOR,
            operator,
            Rule.OPERATOR_OR_SELF,
            AuthorizationManagers.anyOf(operator, self));
  }

  /** The node's policy: {@code readAccess} decides who may call the read-only services. */
  public static AccessPolicy standard(SecurityProperties.ReadAccess readAccess) {
    Map<String, Rule> rules = new LinkedHashMap<>();
    rules.put("blixard.health.v1.HealthService/*", Rule.READ);
    rules.put("blixard.status.v1.StatusService/*", Rule.READ);
    rules.put("blixard.monitoring.v1.MonitoringService/*", Rule.READ);
    rules.put("blixard.transport.v1.TransportService/GetTransportInfo", Rule.READ);
    rules.put("blixard.transport.v1.TransportService/GetStrategyHistory", Rule.READ);
    rules.put("blixard.transport.v1.TransportService/WatchStrategy", Rule.READ);
    rules.put("blixard.transport.v1.TransportService/GetTransportFigures", Rule.READ);
    rules.put("blixard.transport.v1.TransportService/SetStrategy", Rule.OPERATOR);
    rules.put("grpc.health.v1.Health/*", Rule.READ);
    rules.put("grpc.reflection.v1.ServerReflection/*", Rule.READ);
    rules.put("grpc.reflection.v1alpha.ServerReflection/*", Rule.READ);
    // A joining node is not a member yet: the membership service checks its admission.
    rules.put("blixard.cluster.v1.MembershipService/GetMembers", Rule.IDENTIFIED);
    rules.put("blixard.cluster.v1.MembershipService/Join", Rule.IDENTIFIED);
    rules.put("blixard.cluster.v1.MembershipService/Leave", Rule.OPERATOR_OR_SELF);
    rules.put("blixard.security.v1.SecurityService/*", Rule.OPERATOR);
    rules.put("blixard.cluster.v1.SnapshotService/*", Rule.OPERATOR);
    // Raft's own calls: the service itself accepts only whom the Raft engine trusts (a member, or
    // a node being added, whose registry entry may not have reached this node yet).
    rules.put("blixard.raft.v1.RaftService/*", Rule.IDENTIFIED);
    return new AccessPolicy(rules, readAccess == SecurityProperties.ReadAccess.OPEN);
  }

  /** The rule for a full method name ({@code package.Service/Method}); empty when not named. */
  public Optional<Rule> ruleFor(String method) {
    Rule exact = rules.get(method);
    if (exact != null) {
      return Optional.of(exact);
    }
    int slash = method.indexOf('/');
    return slash < 0
        ? Optional.empty()
        : Optional.ofNullable(rules.get(method.substring(0, slash) + "/*"));
  }

  /** Whether {@code caller} (null: no certificate) may make {@code call} under {@code rule}. */
  public boolean allows(Rule rule, Supplier<Authentication> caller, Call call) {
    AuthorizationResult result = managers.get(rule).authorize(caller, call);
    return result != null && result.isGranted();
  }
}
