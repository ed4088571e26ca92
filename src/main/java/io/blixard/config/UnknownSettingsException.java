package io.blixard.config;

import java.util.List;

/**
 * Start-up stopped at {@code blixard.*} keys that are no Blixard setting, one line for each: {@code
 * blixard.cluster.peer-timout is not a Blixard setting (did you mean
 * blixard.cluster.peer-timeout?), on the command line}.
 */
public class UnknownSettingsException extends IllegalStateException {

  private final List<String> problems;

  UnknownSettingsException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line for each unknown key. */
  public List<String> problems() {
    return problems;
  }
}
