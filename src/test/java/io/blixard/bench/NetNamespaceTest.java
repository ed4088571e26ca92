package io.blixard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetNamespaceTest {

  private final NetNamespace.Layout layout = NetNamespace.Layout.standard();

  @Test
  void shouldBuildTheNamespaceTheVethPairAndTheirAddresses() {
    List<String> commands =
        NetNamespace.setupCommands(layout).stream().map(c -> String.join(" ", c)).toList();

    assertThat(commands)
        .containsExactly(
            "ip netns add blixard-bench",
            "ip link add blxb-host type veth peer name blxb-node",
            "ip link set blxb-node netns blixard-bench",
            "ip addr add 10.203.77.1/30 dev blxb-host",
            "ip link set blxb-host up",
            "ip netns exec blixard-bench ip addr add 10.203.77.2/30 dev blxb-node",
            "ip netns exec blixard-bench ip link set blxb-node up",
            "ip netns exec blixard-bench ip link set lo up");
  }

  @Test
  void shouldDropAtRandomInBothDirectionsOnTheNodeEnd() {
    String rules = NetNamespace.lossRuleset(layout, 5);

    assertThat(rules)
        .contains("hook input")
        .contains("iifname \"blxb-node\" numgen random mod 100 < 5 drop")
        .contains("hook output")
        .contains("oifname \"blxb-node\" numgen random mod 100 < 5 drop");
  }

  @Test
  void shouldTearDownWhatItMadeAndLoadLossRulesIntoTheNamespace() throws IOException {
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
    try (NetNamespace ns = new NetNamespace(layout, runner)) {
      ns.create();
      ns.setLoss(1);
      assertThatThrownBy(() -> ns.setLoss(101)).hasMessageContaining("expected: 0 to 100");
    }

    // A namespace left by a crashed run is removed before the new one is made, and after.
    assertThat(ran.get(0))
        .isEqualTo("ip netns exec blixard-bench nft delete table inet blixard_bench");
    assertThat(ran).contains("ip netns add blixard-bench");
    assertThat(ran.get(ran.size() - 1)).isEqualTo("ip netns del blixard-bench");
    assertThat(rulesLoaded).singleElement().asString().contains("numgen random mod 100 < 1 drop");
  }

  @Test
  void shouldPutCommandsInsideTheNamespace() {
    NetNamespace ns = new NetNamespace(layout, command -> "");
    List<String> node =
        Processes.nodeCommand(
            ns.exec(),
            Path.of("blixard.jar"),
            Path.of("/tmp/d"),
            "10.203.77.2",
            "grpc",
            1,
            2,
            3,
            4,
            true);

    assertThat(node.subList(0, 4)).containsExactly("ip", "netns", "exec", "blixard-bench");
    assertThat(node)
        .contains("--blixard.transport.grpc.tls.enabled=true", "--blixard.transport.grpc.port=2");
  }
}
