package io.blixard.contract;

import io.blixard.transport.Transport;

class TransportOverQuicTest extends TransportContractTest {

  @Override
  protected Transport transport() {
    return Transport.QUIC;
  }
}
