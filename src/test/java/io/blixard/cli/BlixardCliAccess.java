package io.blixard.cli;

import picocli.CommandLine;

/** Opens the command line's picocli model to tests in other packages. */
public final class BlixardCliAccess {

  private BlixardCliAccess() {}

  public static CommandLine commandLine() {
    return BlixardCli.commandLine();
  }
}
