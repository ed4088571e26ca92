package io.blixard.contract;

import io.blixard.transport.Transport;

class BadRequestOverQuicTest extends BadRequestContractTest {

  @Override
  protected Transport transport() {
    return Transport.QUIC;
  }
}
