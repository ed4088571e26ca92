package io.blixard.contract;

import io.blixard.transport.Transport;

class HealthOverQuicTest extends HealthContractTest {

  @Override
  protected Transport transport() {
    return Transport.QUIC;
  }
}
