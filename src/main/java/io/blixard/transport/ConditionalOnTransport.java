package io.blixard.transport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/**
 * Matches when {@code blixard.transport.mode} serves the given transport (dual serves both). The
 * property is bound as Spring binds {@link TransportProperties}, so {@code DUAL} and {@code dual}
 * are the same and a missing property means dual.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnTransportCondition.class)
public @interface ConditionalOnTransport {

  Transport value();
}
