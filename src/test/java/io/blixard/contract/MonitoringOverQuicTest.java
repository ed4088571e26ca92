package io.blixard.contract;

import io.blixard.transport.Transport;

class MonitoringOverQuicTest extends MonitoringContractTest {

  @Override
  protected Transport transport() {
    return Transport.QUIC;
  }
}
