package io.blixard.security.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blixard.security.InvalidOperatorTokenException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * How the HTTP port refuses: 401 for a missing or bad token, 403 for a valid token of someone who
 * is not an operator; a {@code WWW-Authenticate: Bearer} header (RFC 6750), a body of one line
 * {@code {"error":"…"}} that says what was missing and what was expected, and a count in {@value
 * #METRIC} by reason. Nothing is logged above DEBUG and never with a stack trace.
 */
final class ActuatorRefusals implements AuthenticationEntryPoint, AccessDeniedHandler {

  static final String METRIC = "blixard.security.refusals";

  private static final Logger log = LoggerFactory.getLogger(ActuatorRefusals.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String REALM = "Bearer realm=\"blixard\"";
  private static final String HOW =
      "expected: Authorization: Bearer <token> signed by an operator's key, from `blixard"
          + " operator token`";

  private final MeterRegistry meters;

  ActuatorRefusals(MeterRegistry meters) {
    this.meters = meters;
  }

  @Override
  public void commence(
      HttpServletRequest request, HttpServletResponse response, AuthenticationException e)
      throws IOException {
    if (e instanceof OperatorTokenAuthenticationManager.RefusedTokenException refused) {
      String reason =
          refused.reason() == InvalidOperatorTokenException.Reason.EXPIRED
              ? "expired"
              : "bad_token";
      refuse(request, response, 401, reason, REALM + ", error=\"invalid_token\"", e.getMessage());
    } else if (e instanceof OAuth2AuthenticationException malformed) {
      // The Authorization header names Bearer but what follows is no token.
      refuse(
          request,
          response,
          401,
          "bad_token",
          REALM + ", error=\"invalid_request\"",
          "the Authorization header holds no bearer token ("
              + malformed.getError().getDescription()
              + "; "
              + HOW
              + ")");
    } else {
      refuse(request, response, 401, "unauthenticated", REALM, "no bearer token (" + HOW + ")");
    }
  }

  @Override
  public void handle(
      HttpServletRequest request, HttpServletResponse response, AccessDeniedException e)
      throws IOException {
    Authentication caller = SecurityContextHolder.getContext().getAuthentication();
    String who = caller == null ? "the caller" : "node id " + caller.getName();
    refuse(
        request,
        response,
        403,
        "forbidden",
        REALM + ", error=\"insufficient_scope\"",
        who
            + " is not an operator of this cluster (expected: a token signed by an operator's key)");
  }

  private void refuse(
      HttpServletRequest request,
      HttpServletResponse response,
      int status,
      String reason,
      String challenge,
      String why)
      throws IOException {
    Counter.builder(METRIC)
        .description("Calls refused by the node's authentication and authorization")
        .tag("transport", "http")
        .tag("reason", reason)
        .register(meters)
        .increment();
    String message = request.getMethod() + " " + path(request) + ": " + why;
    log.debug("Refused {}: {}", reason, message);
    response.setStatus(status);
    response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
    response.setContentType(MediaType.APPLICATION_JSON_VALUE);
    response.setCharacterEncoding(StandardCharsets.UTF_8.name());
    response.getWriter().println(json(message));
  }

  private static String path(HttpServletRequest request) {
    String uri = request.getRequestURI();
    return uri == null ? "/" : uri;
  }

  private static String json(String message) {
    try {
      return JSON.writeValueAsString(Map.of("error", message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
