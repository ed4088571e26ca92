package io.blixard.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Reports unknown {@code blixard.*} keys one line each, without a stack trace. */
class UnknownSettingsFailureAnalyzer extends AbstractFailureAnalyzer<UnknownSettingsException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, UnknownSettingsException cause) {
    return new FailureAnalysis(
        cause.getMessage(),
        "Correct or remove the key; docs/configuration.md lists every Blixard setting.",
        cause);
  }
}
