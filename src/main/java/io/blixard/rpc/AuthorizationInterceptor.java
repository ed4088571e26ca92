package io.blixard.rpc;

import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.blixard.node.NodeId;
import io.blixard.security.AccessPolicy;
import io.blixard.security.Role;
import io.blixard.transport.Transport;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.grpc.server.security.SslContextPreAuthenticationExtractor;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/**
 * Authorizes every call, on either transport, by the {@link AccessPolicy}: the caller is the node
 * id of the client certificate in the call's SSL session (Spring gRPC's extractor, which the QUIC
 * server feeds the same attribute), authenticated with its cluster roles. A call without a
 * certificate that the policy does not open is closed with UNAUTHENTICATED, a caller without the
 * right with PERMISSION_DENIED; both say what was missing and what was expected, and are counted in
 * {@code blixard.security.refusals}. A granted call runs with its caller in the {@link Caller}
 * context. Every call whose caller it authenticated is marked for the metrics as a member node's or
 * a client's ({@link CallerKind}).
 */
public final class AuthorizationInterceptor implements ServerInterceptor {

  private static final Logger log = LoggerFactory.getLogger(AuthorizationInterceptor.class);

  private final AccessPolicy policy;
  private final AuthenticationManager authentication;
  private final NodeId self;
  private final Transport transport;
  private final MeterRegistry meters;
  private final SslContextPreAuthenticationExtractor extractor =
      new SslContextPreAuthenticationExtractor(io.blixard.security.NodeAuthorities.NODE_ID);

  public AuthorizationInterceptor(
      AccessPolicy policy,
      AuthenticationManager authentication,
      NodeId self,
      Transport transport,
      MeterRegistry meters) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.authentication = Objects.requireNonNull(authentication, "authentication");
    this.self = Objects.requireNonNull(self, "self");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<AccessPolicy.Rule> rule = policy.ruleFor(method);
    if (rule.isEmpty()) {
      return refuse(
          call,
          Status.PERMISSION_DENIED,
          "unlisted",
          "method " + method + " is not in this node's access policy (expected: a listed method)");
    }
    Authentication caller;
    try {
      caller = authenticate(call, headers);
    } catch (AuthenticationException e) {
      CallerKind.record(CallerKind.CLIENT);
      return refuse(
          call,
          Status.UNAUTHENTICATED,
          "bad_identity",
          "the client certificate was not accepted: " + e.getMessage());
    }
    CallerKind.record(
        caller != null && hasRole(caller, Role.MEMBER) ? CallerKind.NODE : CallerKind.CLIENT);
    if (rule.get() == AccessPolicy.Rule.OPERATOR_OR_SELF) {
      // The node the request names decides: wait for the request message.
      return new SubjectCheckingListener<>(call, headers, next, rule.get(), caller, method);
    }
    String refusal = check(rule.get(), caller, method, Optional.empty());
    if (refusal != null) {
      return refuse(call, refusalStatus(caller), refusalReason(caller), refusal);
    }
    return proceed(call, headers, next, caller);
  }

  private Authentication authenticate(ServerCall<?, ?> call, Metadata headers) {
    Authentication presented =
        extractor.extract(headers, call.getAttributes(), call.getMethodDescriptor());
    return presented == null ? null : authentication.authenticate(presented);
  }

  /** Null when granted, else the one-line refusal. */
  private String check(
      AccessPolicy.Rule rule, Authentication caller, String method, Optional<NodeId> subject) {
    if (policy.allows(rule, () -> caller, new AccessPolicy.Call(method, subject))) {
      return null;
    }
    if (caller == null) {
      return method + " needs " + rule.expected() + " (the call came without a client certificate)";
    }
    String who = NodeId.parse(caller.getName()).shortForm();
    return method
        + " needs "
        + rule.expected()
        + (subject.isPresent() ? " (" + subject.get().shortForm() + " here)" : "")
        + "; caller "
        + who
        + " is "
        + describe(caller);
  }

  private static String describe(Authentication caller) {
    boolean member = hasRole(caller, Role.MEMBER);
    boolean operator = hasRole(caller, Role.OPERATOR);
    if (member && operator) {
      return "a member and an operator";
    }
    if (operator) {
      return "an operator";
    }
    return member ? "a member, not an operator" : "neither a member nor an operator";
  }

  private static boolean hasRole(Authentication caller, Role role) {
    return caller.getAuthorities().stream()
        .anyMatch(a -> a.getAuthority().equals(role.authority()));
  }

  private static Status refusalStatus(Authentication caller) {
    return caller == null ? Status.UNAUTHENTICATED : Status.PERMISSION_DENIED;
  }

  private static String refusalReason(Authentication caller) {
    return caller == null ? "unauthenticated" : "forbidden";
  }

  private <ReqT, RespT> ServerCall.Listener<ReqT> proceed(
      ServerCall<ReqT, RespT> call,
      Metadata headers,
      ServerCallHandler<ReqT, RespT> next,
      Authentication caller) {
    Context context = Context.current();
    if (caller != null) {
      context = Caller.with(context, NodeId.parse(caller.getName()));
    }
    return Contexts.interceptCall(context, call, headers, next);
  }

  private <ReqT, RespT> ServerCall.Listener<ReqT> refuse(
      ServerCall<ReqT, RespT> call, Status status, String reason, String message) {
    count(reason);
    log.debug("Refused over {}: {} {}", transport.tag(), status.getCode(), message);
    call.close(status.withDescription(message), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private void count(String reason) {
    Counter.builder("blixard.security.refusals")
        .description("Calls and requests refused by the access policy, by reason")
        .tag("transport", transport.tag())
        .tag("reason", reason)
        .register(meters)
        .increment();
  }

  /** The node a request names in its subject field; an empty field names the answering node. */
  private Optional<NodeId> subjectOf(Object request) {
    if (!(request instanceof Message message)) {
      return Optional.empty();
    }
    Descriptors.FieldDescriptor field =
        message.getDescriptorForType().findFieldByName(AccessPolicy.SUBJECT_FIELD);
    if (field == null || field.getJavaType() != Descriptors.FieldDescriptor.JavaType.STRING) {
      return Optional.empty();
    }
    String value = ((String) message.getField(field)).trim();
    if (value.isEmpty()) {
      return Optional.of(self);
    }
    try {
      return Optional.of(NodeId.parse(value));
    } catch (IllegalArgumentException e) {
      // Not a node id: nobody is that node, so only operators pass; the service says what is wrong.
      return Optional.empty();
    }
  }

  /**
   * Holds a call until its first request message names the subject, then lets it through or closes
   * it; the handler never sees a refused request.
   */
  private final class SubjectCheckingListener<ReqT, RespT> extends ServerCall.Listener<ReqT> {

    private final ServerCall<ReqT, RespT> call;
    private final Metadata headers;
    private final ServerCallHandler<ReqT, RespT> next;
    private final AccessPolicy.Rule rule;
    private final Authentication caller;
    private final String method;
    private ServerCall.Listener<ReqT> delegate;
    private boolean refused;

    SubjectCheckingListener(
        ServerCall<ReqT, RespT> call,
        Metadata headers,
        ServerCallHandler<ReqT, RespT> next,
        AccessPolicy.Rule rule,
        Authentication caller,
        String method) {
      this.call = call;
      this.headers = headers;
      this.next = next;
      this.rule = rule;
      this.caller = caller;
      this.method = method;
      call.request(1);
    }

    @Override
    public void onMessage(ReqT message) {
      if (refused) {
        return;
      }
      if (delegate == null) {
        String refusal = check(rule, caller, method, subjectOf(message));
        if (refusal != null) {
          refused = true;
          refuse(call, refusalStatus(caller), refusalReason(caller), refusal);
          return;
        }
        delegate = proceed(call, headers, next, caller);
      }
      delegate.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (delegate != null) {
        delegate.onHalfClose();
      } else if (!refused) {
        refused = true;
        refuse(
            call,
            Status.INVALID_ARGUMENT,
            "no_request",
            method + " ended without a request (expected: one request message)");
      }
    }

    @Override
    public void onCancel() {
      if (delegate != null) {
        delegate.onCancel();
      }
    }

    @Override
    public void onComplete() {
      if (delegate != null) {
        delegate.onComplete();
      }
    }

    @Override
    public void onReady() {
      if (delegate != null) {
        delegate.onReady();
      }
    }
  }
}
