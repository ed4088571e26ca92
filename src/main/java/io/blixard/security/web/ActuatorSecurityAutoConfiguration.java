package io.blixard.security.web;

import io.blixard.security.ClusterRoles;
import io.blixard.security.Role;
import io.blixard.security.SecurityProperties;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.actuate.autoconfigure.security.servlet.ManagementWebSecurityAutoConfiguration;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.health.AdditionalHealthEndpointPath;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.HealthEndpointGroup;
import org.springframework.boot.actuate.health.HealthEndpointGroups;
import org.springframework.boot.actuate.health.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.actuate.health.HttpCodeStatusMapper;
import org.springframework.boot.actuate.health.StatusAggregator;
import org.springframework.boot.actuate.info.InfoEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.security.oauth2.resource.servlet.OAuth2ResourceServerAutoConfiguration;
import org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration;
import org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Spring Security on the node's HTTP port. Secure mode (the default): health (with its liveness and
 * readiness groups) and info are open; with {@code blixard.security.read-access=open} so are the
 * reads of transports, metrics and prometheus; everything else needs an operator's bearer token.
 * Insecure mode: everything open, as before security existed, with a warning at start.
 *
 * <p>Stateless: no session, no cookie, so no CSRF protection to need.
 */
@AutoConfiguration(
    before = {
      ManagementWebSecurityAutoConfiguration.class,
      SecurityAutoConfiguration.class,
      UserDetailsServiceAutoConfiguration.class,
      OAuth2ResourceServerAutoConfiguration.class
    })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(SecurityProperties.class)
// The nested classes repeat the condition: the application's component scan finds them too.
public class ActuatorSecurityAutoConfiguration {

  private static final Logger log =
      LoggerFactory.getLogger(ActuatorSecurityAutoConfiguration.class);

  private static HttpSecurity stateless(HttpSecurity http) throws Exception {
    return http.csrf(AbstractHttpConfigurer::disable)
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .requestCache(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable);
  }

  /** Probes open, everything else for operators. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnProperty(
      name = "blixard.security.mode",
      havingValue = "secure",
      matchIfMissing = true)
  static class Secure {

    @Bean
    SecurityFilterChain actuatorSecurityFilterChain(
        HttpSecurity http, SecurityProperties properties, ClusterRoles roles, MeterRegistry meters)
        throws Exception {
      ActuatorRefusals refusals = new ActuatorRefusals(meters);
      OperatorTokenAuthenticationManager tokens =
          new OperatorTokenAuthenticationManager(roles, Clock.systemUTC());
      boolean openReads = properties.readAccess() == SecurityProperties.ReadAccess.OPEN;
      stateless(http)
          .authorizeHttpRequests(
              requests -> {
                // An error page is rendered for a request that was already let through.
                requests.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
                requests
                    .requestMatchers(EndpointRequest.to(HealthEndpoint.class, InfoEndpoint.class))
                    .permitAll();
                if (openReads) {
                  requests
                      .requestMatchers(
                          EndpointRequest.to("transports", "metrics", "prometheus")
                              .withHttpMethod(HttpMethod.GET))
                      .permitAll();
                }
                requests.anyRequest().hasRole(Role.OPERATOR.name());
              })
          .oauth2ResourceServer(
              bearer ->
                  bearer
                      .authenticationManagerResolver(request -> tokens)
                      .authenticationEntryPoint(refusals)
                      .accessDeniedHandler(refusals))
          .exceptionHandling(
              exceptions ->
                  exceptions.authenticationEntryPoint(refusals).accessDeniedHandler(refusals));
      return http.build();
    }
  }

  /** Everything open: the explicit, logged opt-out. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnProperty(name = "blixard.security.mode", havingValue = "insecure")
  static class Insecure {

    @Bean
    SecurityFilterChain actuatorSecurityFilterChain(HttpSecurity http) throws Exception {
      log.warn(
          "blixard.security.mode=insecure: the HTTP port (Actuator) asks for no credential; anyone"
              + " who reaches it can change the migration strategy and read metrics and health"
              + " details. Use it only on a trusted machine.");
      stateless(http).authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
      return http.build();
    }

    /** Health details go to operators only, and in this mode everyone is one. */
    @Bean
    HealthEndpointGroupsPostProcessor healthDetailsForEveryone() {
      return groups -> {
        Map<String, HealthEndpointGroup> named = new TreeMap<>();
        for (String name : groups.getNames()) {
          named.put(name, new DetailsShown(groups.get(name)));
        }
        return HealthEndpointGroups.of(new DetailsShown(groups.getPrimary()), named);
      };
    }
  }

  /** A health group as configured, except that it shows its components and details to anyone. */
  private record DetailsShown(HealthEndpointGroup group) implements HealthEndpointGroup {

    @Override
    public boolean isMember(String name) {
      return group.isMember(name);
    }

    @Override
    public boolean showComponents(SecurityContext securityContext) {
      return true;
    }

    @Override
    public boolean showDetails(SecurityContext securityContext) {
      return true;
    }

    @Override
    public StatusAggregator getStatusAggregator() {
      return group.getStatusAggregator();
    }

    @Override
    public HttpCodeStatusMapper getHttpCodeStatusMapper() {
      return group.getHttpCodeStatusMapper();
    }

    @Override
    public AdditionalHealthEndpointPath getAdditionalPath() {
      return group.getAdditionalPath();
    }
  }
}
