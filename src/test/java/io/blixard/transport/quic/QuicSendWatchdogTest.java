package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuicSendWatchdogTest {

  @Test
  void shouldFindTheLibrarysSendInTheQuicLibraryThisNodeShipsWith() {
    // Without it the watchdog does nothing, and under loss a held-back retransmission waits for
    // the idle timeout again (QuicUnderLossProcessIntegrationTest shows the stall): a library
    // upgrade that renames the method must be noticed here, not in production.
    assertThat(QuicSendWatchdog.available()).isTrue();
  }
}
