package io.blixard.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.support.NodeAutoConfigurations;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Server reflection on the gRPC listener: both v1 and v1alpha list the services. */
@Timeout(60)
class GrpcReflectionIntegrationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(NodeAutoConfigurations.grpcTransport())
          .withUserConfiguration(GrpcTransportAutoConfigurationTest.NodeBeans.class)
          .withPropertyValues(NodeAutoConfigurations.INSECURE)
          .withPropertyValues(
              "blixard.transport.mode=grpc",
              "blixard.transport.grpc.port=0",
              "blixard.transport.grpc.bind-address=127.0.0.1",
              "blixard.transport.grpc.shutdown-grace-period=1s");

  private static final List<String> SERVED =
      List.of(
          "blixard.test.v1.EchoService",
          "grpc.health.v1.Health",
          "grpc.reflection.v1.ServerReflection",
          "grpc.reflection.v1alpha.ServerReflection");

  @Test
  void shouldListTheServicesOverReflectionV1() {
    runner.run(
        context ->
            assertThat(listV1(context.getBean(GrpcListener.class).port())).containsAll(SERVED));
  }

  @Test
  void shouldListTheServicesOverReflectionV1Alpha() {
    runner.run(
        context ->
            assertThat(listV1Alpha(context.getBean(GrpcListener.class).port()))
                .containsAll(SERVED));
  }

  @Test
  void shouldServeNoReflectionWhenItIsOff() {
    runner
        .withPropertyValues("blixard.transport.grpc.reflection=false")
        .run(
            context -> {
              int port = context.getBean(GrpcListener.class).port();
              assertThat(unimplemented(() -> listV1(port))).isTrue();
              assertThat(unimplemented(() -> listV1Alpha(port))).isTrue();
            });
  }

  private static boolean unimplemented(ThrowingRunnable call) throws Exception {
    try {
      call.run();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause() instanceof StatusRuntimeException s
          && s.getStatus().getCode() == Status.Code.UNIMPLEMENTED;
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static List<String> listV1(int port) throws Exception {
    return list(
        port,
        (channel, answer) ->
            io.grpc.reflection.v1.ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(
                    new Collector<io.grpc.reflection.v1.ServerReflectionResponse>(
                        answer,
                        r ->
                            r.getListServicesResponse().getServiceList().stream()
                                .map(io.grpc.reflection.v1.ServiceResponse::getName)
                                .toList()))
                .onNext(
                    io.grpc.reflection.v1.ServerReflectionRequest.newBuilder()
                        .setListServices("")
                        .build()));
  }

  @SuppressWarnings("deprecation") // v1alpha is what older tools speak
  private static List<String> listV1Alpha(int port) throws Exception {
    return list(
        port,
        (channel, answer) ->
            io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverReflectionInfo(
                    new Collector<io.grpc.reflection.v1alpha.ServerReflectionResponse>(
                        answer,
                        r ->
                            r.getListServicesResponse().getServiceList().stream()
                                .map(io.grpc.reflection.v1alpha.ServiceResponse::getName)
                                .toList()))
                .onNext(
                    io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
                        .setListServices("")
                        .build()));
  }

  private static List<String> list(
      int port, BiConsumer<ManagedChannel, CompletableFuture<List<String>>> ask) throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    try {
      CompletableFuture<List<String>> answer = new CompletableFuture<>();
      ask.accept(channel, answer);
      return answer.get(20, TimeUnit.SECONDS);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Completes with the first answer's service names, or with the call's error. */
  private static final class Collector<T> implements StreamObserver<T> {
    private final CompletableFuture<List<String>> answer;
    private final java.util.function.Function<T, List<String>> names;

    Collector(
        CompletableFuture<List<String>> answer,
        java.util.function.Function<T, List<String>> names) {
      this.answer = answer;
      this.names = names;
    }

    @Override
    public void onNext(T value) {
      answer.complete(names.apply(value));
    }

    @Override
    public void onError(Throwable t) {
      answer.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      answer.completeExceptionally(new IllegalStateException("no answer"));
    }
  }
}
