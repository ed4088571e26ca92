package io.blixard.cli;

import io.blixard.cluster.snapshot.SnapshotException;
import io.blixard.migration.ServedOnRefusal;
import io.blixard.security.OperatorIdentity;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How a failed command ends: one line on stderr that says what happened, and the exit code that
 * says which kind of failure it was (docs/cli.md): {@link BlixardCli#CALL_FAILED} when the node
 * answered and refused or failed the call, {@link BlixardCli#USAGE} for a command line that does
 * not parse, {@link BlixardCli#UNREACHABLE} when no answer came. {@code --verbose} adds the stack
 * trace.
 */
final class Failures {

  /**
   * How the client's transports describe a call that got no answer; a node's own UNAVAILABLE
   * answers ("no leader", "not served over quic") carry neither these words nor a cause, since
   * causes do not cross the wire.
   */
  private static final List<String> NO_ANSWER =
      List.of(
          "cannot reach ",
          "cannot connect over QUIC",
          "cannot open a QUIC stream",
          "the QUIC stream",
          "the QUIC client",
          "io exception",
          "Network closed",
          "Connection closed",
          "Keepalive failed");

  private Failures() {}

  /** A command line that does not parse: what is wrong, then where to read how it goes. */
  static int usage(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    boolean hasSubcommands = !command.getSubcommands().isEmpty();
    if (e instanceof UnmatchedArgumentException unmatched
        && hasSubcommands
        && !unmatched.getUnmatched().isEmpty()
        && !unmatched.getUnmatched().get(0).startsWith("-")) {
      err.println(
          "blixard: '"
              + unmatched.getUnmatched().get(0)
              + "' is not a command of "
              + command.getCommandSpec().qualifiedName());
    } else {
      err.println("blixard: " + e.getMessage());
    }
    UnmatchedArgumentException.printSuggestions(e, err);
    if (command.getCommandSpec().parent() == null
        && Arrays.stream(args).allMatch(a -> a.startsWith("--"))
        && Arrays.stream(args).anyMatch(a -> a.contains("."))) {
      // Settings with an option of Spring Boot's own (--debug): only an explicit node takes those.
      err.println("To start a node with these settings: blixard node " + String.join(" ", args));
    }
    if (hasSubcommands) {
      command.usage(err);
    } else {
      err.println(
          "Try '" + command.getCommandSpec().qualifiedName() + " --help' for more information.");
    }
    err.flush();
    return BlixardCli.USAGE;
  }

  /** An exception of a command that parsed: what happened, in one line. */
  static int report(Exception e, CommandLine command, ParseResult parsed) {
    PrintWriter err = command.getErr();
    int exitCode;
    if (e instanceof StatusRuntimeException sre) {
      exitCode = reportCall(sre.getStatus(), nodeOf(parsed), err);
    } else if (e instanceof StrategyCommand.RefusedException || e instanceof SnapshotException) {
      err.println("blixard: " + e.getMessage());
      exitCode = BlixardCli.CALL_FAILED;
    } else if (e instanceof StrategyCommand.UnreachableException) {
      err.println("blixard: " + e.getMessage());
      exitCode = BlixardCli.UNREACHABLE;
    } else if (e instanceof IllegalArgumentException) {
      // Option values that only the command can check: --node addresses, --count, --ttl.
      err.println("blixard: " + e.getMessage());
      exitCode = BlixardCli.USAGE;
    } else {
      err.println("blixard: " + e + (verbose(parsed) ? "" : " (--verbose shows where)"));
      exitCode = BlixardCli.CALL_FAILED;
    }
    if (verbose(parsed)) {
      e.printStackTrace(err);
    }
    err.flush();
    return exitCode;
  }

  private static int reportCall(Status status, String node, PrintWriter err) {
    if (ServedOnRefusal.is(status)) {
      err.println("blixard: node " + node + " does not serve the call: " + status.getDescription());
      return BlixardCli.CALL_FAILED;
    }
    if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      err.println(
          "blixard: no answer from node " + node + " in time: DEADLINE_EXCEEDED" + detail(status));
      return BlixardCli.UNREACHABLE;
    }
    if (status.getCode() == Status.Code.UNAVAILABLE && noAnswer(status)) {
      err.println("blixard: cannot reach node " + node + ": " + why(status));
      return BlixardCli.UNREACHABLE;
    }
    if (status.getCode() == Status.Code.UNAUTHENTICATED
        || status.getCode() == Status.Code.PERMISSION_DENIED) {
      // The node answered but would not serve this identity: say which one was presented.
      err.println(
          "blixard: node "
              + node
              + " refused the call by policy: "
              + status.getCode()
              + detail(status)
              + "; this command line is operator "
              + OperatorIdentity.loadOrCreate(OperatorIdentity.defaultDirectory())
                  .nodeId()
                  .shortForm()
              + " (blixard whoami)");
      return BlixardCli.CALL_FAILED;
    }
    err.println("blixard: node " + node + " failed the call: " + status.getCode() + detail(status));
    return BlixardCli.CALL_FAILED;
  }

  private static boolean noAnswer(Status status) {
    String description = status.getDescription();
    return status.getCause() != null
        || description == null
        || NO_ANSWER.stream().anyMatch(description::startsWith);
  }

  /** The reason without the "cannot reach host:port:" the transport already put in front. */
  private static String why(Status status) {
    String description = status.getDescription();
    if (description == null || description.startsWith("io exception")) {
      Throwable root = status.getCause();
      while (root != null && root.getCause() != null) {
        root = root.getCause();
      }
      return root == null ? String.valueOf(description) : String.valueOf(root.getMessage());
    }
    return description.startsWith("cannot reach ") && description.contains(": ")
        ? description.substring(description.indexOf(": ") + 2)
        : description;
  }

  private static String detail(Status status) {
    return status.getDescription() == null ? "" : " (" + status.getDescription() + ")";
  }

  /** The --node of the command that ran, or its default. */
  private static String nodeOf(ParseResult parsed) {
    ParseResult command = parsed;
    while (command.subcommand() != null) {
      command = command.subcommand();
    }
    return command.hasMatchedOption("--node")
        ? command.matchedOptionValue("--node", "")
        : NodeOptions.DEFAULT_NODE;
  }

  private static boolean verbose(ParseResult parsed) {
    for (ParseResult p = parsed; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
