package io.blixard.cli;

import picocli.CommandLine;

/** Opens the command line's picocli model to tests in other packages. */
public final class BlixardCliAccess {

  private BlixardCliAccess() {}

  public static CommandLine commandLine() {
    return BlixardCli.commandLine();
  }

  /** Runs a command line: its exit code, stdout and stderr. */
  public static String[] run(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine commandLine = commandLine();
    commandLine.setOut(new java.io.PrintWriter(out));
    commandLine.setErr(new java.io.PrintWriter(err));
    int code = commandLine.execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }
}
