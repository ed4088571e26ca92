package io.blixard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace for the loss runs: a veth pair between the root namespace (the client) and
 * the namespace (node and echo servers), and an nftables table inside the namespace that drops a
 * percentage of the packets on its end of the veth, in each direction, at random. (This kernel has
 * no netem, so loss comes from nftables' {@code numgen random}.)
 */
public final class NetNamespace implements AutoCloseable {

  /** The namespace, the two veth ends and the /30 between them. */
  public record Layout(
      String namespace, String hostEnd, String nodeEnd, String hostAddress, String nodeAddress) {

    public static Layout standard() {
      return new Layout("blixard-bench", "blxb-host", "blxb-node", "10.203.77.1", "10.203.77.2");
    }
  }

  private final Layout layout;
  private final Runner runner;
  private boolean created;

  /** Runs a command, returning its output; fails with the command and output when it fails. */
  public interface Runner {
    String run(List<String> command) throws IOException;
  }

  public NetNamespace(Layout layout, Runner runner) {
    this.layout = layout;
    this.runner = runner;
  }

  /** Why namespaces cannot be made here, or empty when they can (root, ip and nft present). */
  public static Optional<String> unavailableReason() {
    if (!isRoot()) {
      return Optional.of("not running as root (network namespaces and nftables need root)");
    }
    List<String> missing = new ArrayList<>();
    if (onPath("ip").isEmpty()) {
      missing.add("ip (Debian: apt-get install iproute2)");
    }
    if (onPath("nft").isEmpty()) {
      missing.add("nft (Debian: apt-get install nftables)");
    }
    if (!missing.isEmpty()) {
      return Optional.of("missing " + String.join(", ", missing));
    }
    return Optional.empty();
  }

  private static boolean isRoot() {
    try {
      return "0".equals(new String(new ProcessBuilder("id", "-u").start().getInputStream()
          .readAllBytes(), StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      return false;
    }
  }

  static Optional<Path> onPath(String program) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin";
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return Optional.of(Path.of(dir, program));
      }
    }
    return Optional.empty();
  }

  /** The prefix that runs a command inside the namespace. */
  public List<String> exec() {
    return List.of("ip", "netns", "exec", layout.namespace());
  }

  public Layout layout() {
    return layout;
  }

  /** The commands that build the namespace, the veth pair and their addresses. */
  static List<List<String>> setupCommands(Layout l) {
    return List.of(
        List.of("ip", "netns", "add", l.namespace()),
        List.of("ip", "link", "add", l.hostEnd(), "type", "veth", "peer", "name", l.nodeEnd()),
        List.of("ip", "link", "set", l.nodeEnd(), "netns", l.namespace()),
        List.of("ip", "addr", "add", l.hostAddress() + "/30", "dev", l.hostEnd()),
        List.of("ip", "link", "set", l.hostEnd(), "up"),
        List.of(
            "ip", "netns", "exec", l.namespace(), "ip", "addr", "add", l.nodeAddress() + "/30",
            "dev", l.nodeEnd()),
        List.of("ip", "netns", "exec", l.namespace(), "ip", "link", "set", l.nodeEnd(), "up"),
        List.of("ip", "netns", "exec", l.namespace(), "ip", "link", "set", "lo", "up"));
  }

  /** The commands that remove everything {@link #setupCommands} made (the veth goes with it). */
  static List<List<String>> teardownCommands(Layout l) {
    return List.of(
        List.of("ip", "netns", "exec", l.namespace(), "nft", "delete", "table", "inet", "blixard_bench"),
        List.of("ip", "link", "del", l.hostEnd()),
        List.of("ip", "netns", "del", l.namespace()));
  }

  /** The nftables ruleset that drops {@code percent} % of the packets each way on the node end. */
  static String lossRuleset(Layout l, int percent) {
    return """
        table inet blixard_bench {
          chain in {
            type filter hook input priority filter; policy accept;
            iifname "%1$s" numgen random mod 100 < %2$d drop
          }
          chain out {
            type filter hook output priority filter; policy accept;
            oifname "%1$s" numgen random mod 100 < %2$d drop
          }
        }
        """
        .formatted(l.nodeEnd(), percent);
  }

  /** Builds the namespace, removing one a crashed run left behind first. */
  public void create() throws IOException {
    teardownQuietly();
    created = true;
    for (List<String> command : setupCommands(layout)) {
      runner.run(command);
    }
  }

  /** Replaces the loss rules: {@code percent} % dropped each way; 0 removes them. */
  public void setLoss(int percent) throws IOException {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("loss: " + percent + " (expected: 0 to 100)");
    }
    List<String> delete =
        List.of("ip", "netns", "exec", layout.namespace(), "nft", "delete", "table", "inet",
            "blixard_bench");
    try {
      runner.run(delete);
    } catch (IOException absent) {
      // No table yet.
    }
    if (percent > 0) {
      Path rules = Files.createTempFile("blixard-bench", ".nft");
      try {
        Files.writeString(rules, lossRuleset(layout, percent));
        runner.run(
            List.of("ip", "netns", "exec", layout.namespace(), "nft", "-f", rules.toString()));
      } finally {
        Files.deleteIfExists(rules);
      }
    }
  }

  private void teardownQuietly() {
    for (List<String> command : teardownCommands(layout)) {
      try {
        runner.run(command);
      } catch (IOException ignored) {
        // Already gone.
      }
    }
  }

  @Override
  public void close() {
    if (created) {
      teardownQuietly();
      created = false;
    }
  }

  /** Runs commands as processes. */
  public static String runCommand(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + ": no answer within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", command) + ": interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command) + ": exit " + process.exitValue() + ": " + output.trim());
    }
    return output;
  }
}
