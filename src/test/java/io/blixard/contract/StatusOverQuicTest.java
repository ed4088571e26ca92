package io.blixard.contract;

import io.blixard.transport.Transport;

class StatusOverQuicTest extends StatusContractTest {

  @Override
  protected Transport transport() {
    return Transport.QUIC;
  }
}
