package io.blixard.contract;

import io.blixard.transport.Transport;

class MembershipOverGrpcTest extends MembershipContractTest {

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }
}
