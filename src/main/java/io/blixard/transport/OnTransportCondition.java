package io.blixard.transport;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** The condition behind {@link ConditionalOnTransport}. */
class OnTransportCondition extends SpringBootCondition {

  static final String MODE_PROPERTY = "blixard.transport.mode";

  @Override
  public ConditionOutcome getMatchOutcome(
      ConditionContext context, AnnotatedTypeMetadata metadata) {
    Map<String, Object> attributes =
        metadata.getAnnotationAttributes(ConditionalOnTransport.class.getName());
    Transport transport = (Transport) attributes.get("value");
    // Binding failures (an unknown mode) are left to TransportProperties, whose binding error
    // lists the allowed values; here an unbindable value simply does not match.
    TransportMode mode;
    try {
      mode =
          Binder.get(context.getEnvironment())
              .bind(MODE_PROPERTY, TransportMode.class)
              .orElse(TransportMode.DUAL);
    } catch (RuntimeException e) {
      return ConditionOutcome.noMatch("cannot bind " + MODE_PROPERTY + ": " + e.getMessage());
    }
    return mode.serves(transport)
        ? ConditionOutcome.match(MODE_PROPERTY + " " + mode + " serves " + transport)
        : ConditionOutcome.noMatch(MODE_PROPERTY + " " + mode + " does not serve " + transport);
  }
}
