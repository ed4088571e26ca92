package io.blixard;

import java.util.List;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

/**
 * What an operator reads when the node fails to start: the failure analysis Spring Boot prints
 * (which a context runner does not run), and the exception chain behind it.
 */
public final class StartupFailures {

  private StartupFailures() {}

  /** The failure analysis Spring Boot would print (description and action), or null if none. */
  public static String analysis(Throwable failure) {
    // Analyzers that need the bean factory or environment are skipped; binding analyzers need none.
    List<FailureAnalyzer> analyzers =
        SpringFactoriesLoader.forDefaultResourceLocation(StartupFailures.class.getClassLoader())
            .load(
                FailureAnalyzer.class,
                ArgumentResolver.none(),
                FailureHandler.handleMessage((m, e) -> {}));
    for (FailureAnalyzer analyzer : analyzers) {
      FailureAnalysis analysis = analyzer.analyze(failure);
      if (analysis != null) {
        return analysis.getDescription() + "\n" + analysis.getAction();
      }
    }
    return null;
  }

  /** Every message of the exception chain, one per line, each with its exception class. */
  public static String chain(Throwable failure) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      text.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
    }
    return text.toString();
  }
}
