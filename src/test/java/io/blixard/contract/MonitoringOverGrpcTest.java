package io.blixard.contract;

import io.blixard.transport.Transport;

class MonitoringOverGrpcTest extends MonitoringContractTest {

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }
}
