package io.blixard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The network of the Raft section: one network namespace per node, each joined by a veth pair to a
 * bridge in the root namespace, where the client runs. Loss applies to the Raft traffic only: in
 * each node's namespace an nftables rule drops a percentage of the packets it sends to the other
 * nodes, so every packet between two nodes passes exactly one drop, in each direction, and the
 * client's calls to a node are never dropped. (This kernel has no netem, so loss comes from
 * nftables' {@code numgen random}, as in {@link NetNamespace}.)
 */
public final class RaftNetwork implements AutoCloseable {

  /**
   * The names and addresses: namespace {@code <prefix>-<i>}, bridge {@code <link>-br}, veth ends
   * {@code <link>-h<i>} (on the bridge) and {@code <link>-n<i>} (in the namespace), the bridge at
   * {@code <subnet>.1} and node i (from 1) at {@code <subnet>.(10 + i)}, in a /24.
   *
   * @param prefix the namespaces' name before {@code -<i>}
   * @param link the start of the interfaces' names (at most 9 characters, for Linux's 15)
   * @param subnet the first three octets of the /24
   * @param nodes how many nodes (and namespaces)
   */
  public record Layout(String prefix, String link, String subnet, int nodes) {

    public Layout {
      if (link.length() > 9) {
        throw new IllegalArgumentException(
            "link: " + link + " (expected: at most 9 characters, interface names have 15)");
      }
      if (nodes < 1 || nodes > 9) {
        throw new IllegalArgumentException("nodes: " + nodes + " (expected: 1 to 9)");
      }
    }

    public static Layout standard() {
      return new Layout("blixard-raft", "blxr", "10.203.80", 3);
    }

    /** The namespace of node {@code i}, from 1. */
    public String namespace(int i) {
      return prefix + "-" + i;
    }

    public String bridge() {
      return link + "-br";
    }

    String hostEnd(int i) {
      return link + "-h" + i;
    }

    String nodeEnd(int i) {
      return link + "-n" + i;
    }

    /** The root namespace's address on the bridge: the client's. */
    public String hostAddress() {
      return subnet + ".1";
    }

    /** The address of node {@code i}, from 1. */
    public String nodeAddress(int i) {
      return subnet + "." + (10 + i);
    }
  }

  private static final String TABLE = "blixard_raft_bench";

  private final Layout layout;
  private final NetNamespace.Runner runner;
  private boolean created;

  public RaftNetwork(Layout layout, NetNamespace.Runner runner) {
    this.layout = layout;
    this.runner = runner;
  }

  public Layout layout() {
    return layout;
  }

  /** The prefix that runs a command in node {@code i}'s namespace. */
  public List<String> exec(int i) {
    return List.of("ip", "netns", "exec", layout.namespace(i));
  }

  /** The commands that build the bridge, the namespaces, the veth pairs and their addresses. */
  static List<List<String>> setupCommands(Layout l) {
    List<List<String>> commands = new ArrayList<>();
    commands.add(List.of("ip", "link", "add", l.bridge(), "type", "bridge"));
    commands.add(List.of("ip", "addr", "add", l.hostAddress() + "/24", "dev", l.bridge()));
    commands.add(List.of("ip", "link", "set", l.bridge(), "up"));
    for (int i = 1; i <= l.nodes(); i++) {
      String ns = l.namespace(i);
      commands.add(List.of("ip", "netns", "add", ns));
      commands.add(
          List.of("ip", "link", "add", l.hostEnd(i), "type", "veth", "peer", "name", l.nodeEnd(i)));
      commands.add(List.of("ip", "link", "set", l.nodeEnd(i), "netns", ns));
      commands.add(List.of("ip", "link", "set", l.hostEnd(i), "master", l.bridge()));
      commands.add(List.of("ip", "link", "set", l.hostEnd(i), "up"));
      commands.add(
          List.of(
              "ip", "netns", "exec", ns, "ip", "addr", "add", l.nodeAddress(i) + "/24", "dev",
              l.nodeEnd(i)));
      commands.add(List.of("ip", "netns", "exec", ns, "ip", "link", "set", l.nodeEnd(i), "up"));
      commands.add(List.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
    }
    return commands;
  }

  /** The commands that remove everything {@link #setupCommands} made (veths go with their ns). */
  static List<List<String>> teardownCommands(Layout l) {
    List<List<String>> commands = new ArrayList<>();
    for (int i = 1; i <= l.nodes(); i++) {
      commands.add(List.of("ip", "netns", "del", l.namespace(i)));
      commands.add(List.of("ip", "link", "del", l.hostEnd(i)));
    }
    commands.add(List.of("ip", "link", "del", l.bridge()));
    return commands;
  }

  /**
   * The nftables ruleset of node {@code i}'s namespace: {@code percent} % of the packets it sends
   * to any other node dropped at random.
   */
  static String lossRuleset(Layout l, int i, int percent) {
    String others =
        java.util.stream.IntStream.rangeClosed(1, l.nodes())
            .filter(j -> j != i)
            .mapToObj(l::nodeAddress)
            .collect(Collectors.joining(", "));
    return """
        table inet %1$s {
          chain out {
            type filter hook output priority filter; policy accept;
            oifname "%2$s" ip daddr { %3$s } numgen random mod 100 < %4$d drop
          }
        }
        """
        .formatted(TABLE, l.nodeEnd(i), others, percent);
  }

  /** Builds the network, removing one a crashed run left behind first. */
  public void create() throws IOException {
    teardownQuietly();
    created = true;
    for (List<String> command : setupCommands(layout)) {
      runner.run(command);
    }
  }

  /** Replaces the loss rules of every node: {@code percent} % dropped; 0 removes them. */
  public void setLoss(int percent) throws IOException {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("loss: " + percent + " (expected: 0 to 100)");
    }
    for (int i = 1; i <= layout.nodes(); i++) {
      try {
        runner.run(
            List.of(
                "ip", "netns", "exec", layout.namespace(i), "nft", "delete", "table", "inet",
                TABLE));
      } catch (IOException absent) {
        // No table yet.
      }
      if (percent > 0) {
        Path rules = Files.createTempFile("blixard-raft-bench", ".nft");
        try {
          Files.writeString(rules, lossRuleset(layout, i, percent));
          runner.run(
              List.of("ip", "netns", "exec", layout.namespace(i), "nft", "-f", rules.toString()));
        } finally {
          Files.deleteIfExists(rules);
        }
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
}
