package io.blixard.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.support.Promtool;
import io.blixard.support.RpcMetering;
import io.blixard.transport.Transport;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chain both servers apply, over in-process gRPC: order, and what its metrics record. */
@Timeout(30)
class ServerInterceptorChainTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final CountDownLatch cancelled = new CountDownLatch(1);
  private Server server;
  private ManagedChannel channel;

  @AfterEach
  void close() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** Answers, fails with a status, throws, or waits until the client cancels. */
  private final class Echo extends EchoServiceGrpc.EchoServiceImplBase {
    @Override
    public void unary(EchoRequest request, StreamObserver<EchoResponse> observer) {
      switch (request.getText()) {
        case "throw" -> throw new IllegalStateException("a handler bug");
        case "wait" -> {
          Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
          return; // never answers: the client cancels
        }
        default -> {
          if (request.getFailWithCode() != 0) {
            observer.onError(Status.fromCodeValue(request.getFailWithCode()).asException());
            return;
          }
          observer.onNext(EchoResponse.newBuilder().setText(request.getText()).build());
          observer.onCompleted();
        }
      }
    }
  }

  private EchoServiceGrpc.EchoServiceBlockingStub serve(
      ServerInterceptorChain chain, Transport transport) throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(chain.intercept(new Echo().bindService(), transport))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    return EchoServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private ServerInterceptorChain metricsChain() {
    return new ServerInterceptorChain(
        List.of(RpcServerMetrics.interceptor(RpcMetering.observations(meters))));
  }

  private Timer timer(String transport, String method, String status) {
    return meters
        .find(RpcServerMetrics.METRIC)
        .tags("transport", transport, "method", method, "status", status)
        .tag("service", "blixard.test.v1.EchoService")
        .timer();
  }

  private long count(String transport, String status) {
    Timer timer = timer(transport, "Unary", status);
    return timer == null ? 0 : timer.count();
  }

  @Test
  void shouldRunTheLinksInTheirOrderTheFirstSeeingACallFirst() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    RpcServerInterceptor first = t -> recording(seen, "first:" + t.tag());
    RpcServerInterceptor second = t -> recording(seen, "second:" + t.tag());
    var stub = serve(new ServerInterceptorChain(List.of(first, second)), Transport.QUIC);

    stub.unary(EchoRequest.newBuilder().setText("hi").build());

    assertThat(seen).containsExactly("first:quic", "second:quic");
  }

  private static ServerInterceptor recording(List<String> seen, String name) {
    return new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        seen.add(name);
        return next.startCall(call, headers);
      }
    };
  }

  @Test
  void shouldTimeACallByTransportServiceMethodAndStatus() throws Exception {
    var stub = serve(metricsChain(), Transport.GRPC);

    stub.unary(EchoRequest.newBuilder().setText("hi").build());

    await().atMost(Duration.ofSeconds(10)).until(() -> count("grpc", "OK") == 1);
    Meter.Id id = timer("grpc", "Unary", "OK").getId();
    assertThat(id.getTags())
        .extracting(io.micrometer.core.instrument.Tag::getKey)
        .containsExactlyInAnyOrder("transport", "service", "method", "status", "caller");
    assertThat(count("quic", "OK")).isZero();
  }

  @Test
  void shouldTagTheCallerALinkInsideMetricsRecorded() throws Exception {
    RpcServerInterceptor member =
        t ->
            new ServerInterceptor() {
              @Override
              public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
                  ServerCall<ReqT, RespT> call,
                  Metadata headers,
                  ServerCallHandler<ReqT, RespT> next) {
                CallerKind.record(CallerKind.NODE);
                return next.startCall(call, headers);
              }
            };
    var stub =
        serve(
            new ServerInterceptorChain(
                List.of(RpcServerMetrics.interceptor(RpcMetering.observations(meters)), member)),
            Transport.QUIC);

    stub.unary(EchoRequest.newBuilder().setText("hi").build());

    await().atMost(Duration.ofSeconds(10)).until(() -> count("quic", "OK") == 1);
    assertThat(timer("quic", "Unary", "OK").getId().getTag("caller")).isEqualTo("node");
  }

  @Test
  void shouldTagTheCallerUnknownWhenNoLinkSaysWhoItIs() throws Exception {
    var stub = serve(metricsChain(), Transport.GRPC);

    stub.unary(EchoRequest.newBuilder().setText("hi").build());

    await().atMost(Duration.ofSeconds(10)).until(() -> count("grpc", "OK") == 1);
    assertThat(timer("grpc", "Unary", "OK").getId().getTag("caller")).isEqualTo("unknown");
  }

  @Test
  void shouldTagTheStatusAHandlerAnswered() throws Exception {
    var stub = serve(metricsChain(), Transport.QUIC);

    assertThatThrownBy(
            () ->
                stub.unary(
                    EchoRequest.newBuilder()
                        .setText("no")
                        .setFailWithCode(Status.Code.PERMISSION_DENIED.value())
                        .build()))
        .isInstanceOf(StatusRuntimeException.class);

    await().atMost(Duration.ofSeconds(10)).until(() -> count("quic", "PERMISSION_DENIED") == 1);
  }

  @Test
  void shouldTagAHandlerThatThrowsUnknown() throws Exception {
    var stub = serve(metricsChain(), Transport.GRPC);

    assertThatThrownBy(() -> stub.unary(EchoRequest.newBuilder().setText("throw").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));

    await().atMost(Duration.ofSeconds(10)).until(() -> count("grpc", "UNKNOWN") == 1);
  }

  @Test
  void shouldTagACallTheClientCancelledCancelled() throws Exception {
    var stub = serve(metricsChain(), Transport.GRPC);

    assertThatThrownBy(
            () ->
                stub.withDeadlineAfter(200, TimeUnit.MILLISECONDS)
                    .unary(EchoRequest.newBuilder().setText("wait").build()))
        .isInstanceOf(StatusRuntimeException.class);

    assertThat(cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> count("grpc", "CANCELLED") == 1);
  }

  @Test
  void shouldKeepRecentPercentilesPerServiceAndTransport() throws Exception {
    var stub = serve(metricsChain(), Transport.QUIC);

    for (int i = 0; i < 3; i++) {
      stub.unary(EchoRequest.newBuilder().setText("hi").build());
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Timer service =
                  meters
                      .find(RpcServerMetrics.SERVICE_METRIC)
                      .tags("transport", "quic", "service", "blixard.test.v1.EchoService")
                      .timer();
              assertThat(service).isNotNull();
              assertThat(service.count()).isEqualTo(3);
              assertThat(service.takeSnapshot().percentileValues())
                  .extracting(v -> v.percentile())
                  .containsExactly(0.5, 0.99);
            });
  }

  @Test
  void shouldExposeAValidPrometheusHistogramAndNoOtherMetersOfTheObservation() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var stub =
        serve(
            new ServerInterceptorChain(
                List.of(RpcServerMetrics.interceptor(RpcMetering.observations(prometheus)))),
            Transport.GRPC);

    stub.unary(EchoRequest.newBuilder().setText("hi").build());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> prometheus.find(RpcServerMetrics.METRIC).timer() != null);
    String text = prometheus.scrape();
    assertThat(text)
        .containsPattern(
            "blixard_rpc_server_seconds_bucket\\{[^}]*method=\"Unary\",[^}]*status=\"OK\","
                + "transport=\"grpc\"")
        .containsPattern("blixard_transport_calls_seconds_bucket\\{[^}]*transport=\"grpc\"")
        .doesNotContain("error=")
        .doesNotContain("blixard_rpc_server_active");
    assertThat(prometheus.getMeters())
        .extracting(m -> m.getId().getName())
        .filteredOn(n -> n.startsWith(RpcServerMetrics.METRIC))
        .containsOnly(RpcServerMetrics.METRIC);
    Promtool.assertValid(text);
  }

  @Test
  void shouldExposeTheFixedBucketsOnBothServerTimers() throws Exception {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    var stub =
        serve(
            new ServerInterceptorChain(
                List.of(RpcServerMetrics.interceptor(RpcMetering.observations(prometheus)))),
            Transport.QUIC);

    stub.unary(EchoRequest.newBuilder().setText("hi").build());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> prometheus.find(RpcServerMetrics.SERVICE_METRIC).timer() != null);
    String text = prometheus.scrape();
    List<String> expected =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(RpcLatencyBuckets.BOUNDS)
                    .map(d -> String.valueOf(d.toNanos() / 1e9)),
                java.util.stream.Stream.of("+Inf"))
            .toList();
    assertThat(expected).hasSizeLessThanOrEqualTo(15);
    for (String metric : List.of("blixard_rpc_server_seconds", "blixard_transport_calls_seconds")) {
      assertThat(
              java.util.regex.Pattern.compile(metric + "_bucket\\{[^}]*le=\"([^\"]+)\"")
                  .matcher(text)
                  .results()
                  .map(m -> m.group(1))
                  .distinct()
                  .map(le -> le.equals("+Inf") ? le : String.valueOf(Double.parseDouble(le)))
                  .toList())
          .as(metric)
          .containsExactlyElementsOf(expected);
    }
    Promtool.assertValid(text);
  }
}
