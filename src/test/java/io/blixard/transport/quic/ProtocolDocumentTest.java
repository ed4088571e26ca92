package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** docs/protocol.md carries the team's shared protocol page unchanged, followed by our notes. */
class ProtocolDocumentTest {

  private static final Path SHARED = Path.of("..", "shared", "PROTOCOL.md");

  @Test
  void shouldStartWithTheSharedProtocolVerbatim() throws Exception {
    Assumptions.assumeTrue(
        Files.exists(SHARED) || System.getenv("CI") != null,
        "the shared protocol page is not beside this checkout");
    String shared = Files.readString(SHARED);
    String ours = Files.readString(Path.of("docs", "protocol.md"));

    assertThat(ours).startsWith(shared);
  }

  @Test
  void shouldNameEveryAlpnTheServerAccepts() throws Exception {
    String ours = Files.readString(Path.of("docs", "protocol.md"));

    assertThat(ours).contains("`" + QuicAlpn.RPC + "`").contains("`blixard/health/1`");
  }
}
