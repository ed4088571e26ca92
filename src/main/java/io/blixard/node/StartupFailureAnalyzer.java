package io.blixard.node;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link StartupException} anywhere in a failed start into Spring Boot's failure report:
 * the reason and the action, without the stack trace an unknown failure gets.
 */
public final class StartupFailureAnalyzer extends AbstractFailureAnalyzer<StartupException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, StartupException cause) {
    return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
  }
}
