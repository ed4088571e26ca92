package io.blixard.transport.grpc;

import io.blixard.transport.CallShapesContractTest;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** The call shapes over gRPC, in process (as grpc-java's own tests run them). */
class GrpcCallShapesTest extends CallShapesContractTest {

  @Test
  @Disabled(
      "in-process gRPC hands messages over as objects and never serialises them, so no message"
          + " size limit applies in process; gRPC over Netty refuses a message over 4 MiB with"
          + " RESOURCE_EXHAUSTED, as QUIC does (QuicCallShapesTest runs this test)")
  @Override
  protected void shouldRefuseARequestOverFourMebibytesWithResourceExhausted() {}

  @Override
  protected Served serve(Path dir, List<BindableService> services) throws Exception {
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
    services.forEach(builder::addService);
    Server server = builder.build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    return new Served() {
      @Override
      public Channel channel() {
        return channel;
      }

      @Override
      public void close() {
        channel.shutdownNow();
        server.shutdownNow();
        try {
          channel.awaitTermination(5, TimeUnit.SECONDS);
          server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }
}
