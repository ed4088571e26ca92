package io.blixard.cli;

import io.blixard.node.NodeIdentity;
import io.blixard.security.OperatorIdentity;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints the operator id this command line presents, creating its key pair on first use. */
@Command(
    name = "whoami",
    description =
        "The operator id this command line presents to nodes (its key pair lives in"
            + " $BLIXARD_CONFIG_DIR, $XDG_CONFIG_HOME/blixard or ~/.config/blixard).")
final class WhoamiCommand implements Callable<Integer> {

  @Option(names = "--json", description = "Print the answer as one JSON document.")
  boolean json;

  @Spec CommandSpec spec;

  record Identity(String operatorId, String directory) {}

  @Override
  public Integer call() {
    Path dir = OperatorIdentity.defaultDirectory();
    NodeIdentity identity = OperatorIdentity.loadOrCreate(dir);
    if (json) {
      spec.commandLine()
          .getOut()
          .println(Json.write(new Identity(identity.nodeId().value(), dir.toString())));
    } else {
      spec.commandLine().getOut().println("operator  " + identity.nodeId());
      spec.commandLine().getOut().println("key       " + identity.keyFile());
    }
    return 0;
  }
}
