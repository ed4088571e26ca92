package io.blixard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaftNetworkTest {

  private final RaftNetwork.Layout layout = RaftNetwork.Layout.standard();

  @Test
  void shouldPutEachNodeInItsOwnNamespaceOnOneBridge() {
    List<String> commands =
        RaftNetwork.setupCommands(layout).stream().map(c -> String.join(" ", c)).toList();

    assertThat(commands.subList(0, 3))
        .containsExactly(
            "ip link add blxr-br type bridge",
            "ip addr add 10.203.80.1/24 dev blxr-br",
            "ip link set blxr-br up");
    assertThat(commands)
        .hasSize(3 + 3 * 8)
        .contains(
            "ip netns add blixard-raft-2",
            "ip link add blxr-h2 type veth peer name blxr-n2",
            "ip link set blxr-n2 netns blixard-raft-2",
            "ip link set blxr-h2 master blxr-br",
            "ip netns exec blixard-raft-2 ip addr add 10.203.80.12/24 dev blxr-n2",
            "ip netns exec blixard-raft-3 ip link set lo up");
    assertThat(layout.hostAddress()).isEqualTo("10.203.80.1");
    assertThat(layout.nodeAddress(3)).isEqualTo("10.203.80.13");
  }

  @Test
  void shouldDropOnlyWhatANodeSendsToTheOtherNodes() {
    String rules = RaftNetwork.lossRuleset(layout, 1, 5);

    assertThat(rules)
        .contains("hook output")
        .contains(
            "oifname \"blxr-n1\" ip daddr { 10.203.80.12, 10.203.80.13 } numgen random mod 100"
                + " < 5 drop")
        // One drop per packet between two nodes: none on the way in, none to the client.
        .doesNotContain("hook input")
        .doesNotContain("10.203.80.1 ");
  }

  @Test
  void shouldLoadLossRulesIntoEveryNamespaceAndTearEverythingDown() throws IOException {
    List<String> ran = new ArrayList<>();
    List<String> rulesLoaded = new ArrayList<>();
    NetNamespace.Runner runner =
        command -> {
          ran.add(String.join(" ", command));
          if (command.contains("-f")) {
            rulesLoaded.add(Files.readString(Path.of(command.get(command.size() - 1))));
          }
          return "";
        };
    try (RaftNetwork network = new RaftNetwork(layout, runner)) {
      network.create();
      network.setLoss(1);
      ran.clear();
      network.setLoss(0);
      assertThat(ran)
          .containsExactly(
              "ip netns exec blixard-raft-1 nft delete table inet blixard_raft_bench",
              "ip netns exec blixard-raft-2 nft delete table inet blixard_raft_bench",
              "ip netns exec blixard-raft-3 nft delete table inet blixard_raft_bench");
      assertThatThrownBy(() -> network.setLoss(-1)).hasMessageContaining("expected: 0 to 100");
    }

    assertThat(rulesLoaded).hasSize(3).allSatisfy(r -> assertThat(r).contains("< 1 drop"));
    assertThat(rulesLoaded.get(2)).contains("ip daddr { 10.203.80.11, 10.203.80.12 }");
    assertThat(ran.get(ran.size() - 1)).isEqualTo("ip link del blxr-br");
    assertThat(ran).contains("ip netns del blixard-raft-3");
  }

  @Test
  void shouldRejectInterfaceNamesLinuxCannotHold() {
    assertThatThrownBy(() -> new RaftNetwork.Layout("ns", "much-too-long", "10.0.0", 3))
        .hasMessage(
            "link: much-too-long (expected: at most 9 characters, interface names have 15)");
  }
}
