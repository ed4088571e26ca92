package io.blixard.contract;

import io.blixard.transport.Transport;

class MembershipOverQuicTest extends MembershipContractTest {

  @Override
  protected Transport transport() {
    return Transport.QUIC;
  }
}
