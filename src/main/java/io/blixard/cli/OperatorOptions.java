package io.blixard.cli;

import io.blixard.node.NodeIdentity;
import io.blixard.security.OperatorIdentity;
import io.blixard.security.OperatorTokens;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The operator identity a command signs with: the user's own, created on first use. */
final class OperatorOptions {

  @Option(
      names = "--operator-dir",
      paramLabel = "DIR",
      description =
          "Where the operator identity (operator.key, operator.crt) is kept. Default:"
              + " $BLIXARD_CONFIG_DIR, else $XDG_CONFIG_HOME/blixard, else ~/.config/blixard.")
  Path operatorDir;

  NodeIdentity identity() {
    return OperatorIdentity.loadOrCreate(
        operatorDir == null ? OperatorIdentity.defaultDirectory() : operatorDir);
  }

  /** A bearer token for a node's HTTP port, signed by this identity, valid for {@code ttl}. */
  String token(Duration ttl) {
    return OperatorTokens.issue(identity(), ttl, Clock.systemUTC());
  }
}
