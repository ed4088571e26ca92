package io.blixard.config;

import io.blixard.node.ListenerBindException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/** Reports a listener that cannot bind as the one line naming the setting to change. */
@Order(Ordered.HIGHEST_PRECEDENCE)
class ListenerBindFailureAnalyzer extends AbstractFailureAnalyzer<ListenerBindException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ListenerBindException cause) {
    return new FailureAnalysis(
        cause.getMessage(),
        "Change " + cause.setting() + " (docs/configuration.md), or stop what holds the address.",
        cause);
  }
}
