package io.blixard.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import io.blixard.client.SideEffectService.Behaviour;
import io.blixard.migration.MigrationStrategy;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.transport.quic.QuicLoopback;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every attempt of a call through the transport-choosing channel is a client span of the caller's
 * trace, tagged with the transport it used, and the attempt that reaches the server carries the
 * trace context, also when the call moved from QUIC to gRPC on another thread than the caller's.
 * Real QUIC on loopback; gRPC in-process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportChoosingChannelTracingTest {

  private static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("blixard.transport");
  private static final AttributeKey<String> STATUS = AttributeKey.stringKey("grpc.status_code");
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dir;

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  private final ObservationRegistry observations = ObservationRegistry.create();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicReference<String> grpcTraceparent = new AtomicReference<>();
  private Server grpcServer;
  private ManagedChannel grpc;
  private QuicLoopback quic;

  private Channel start(Behaviour overQuic) throws Exception {
    var otel = provider.get("test");
    OtelTracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {});
    observations
        .observationConfig()
        .observationHandler(
            new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(
                    tracer,
                    new OtelPropagator(
                        ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel)),
                new DefaultTracingObservationHandler(tracer)));
    String name = InProcessServerBuilder.generateName();
    ServerInterceptor headers =
        new ServerInterceptor() {
          @Override
          public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
              ServerCall<ReqT, RespT> call,
              Metadata metadata,
              ServerCallHandler<ReqT, RespT> next) {
            grpcTraceparent.set(metadata.get(TRACEPARENT));
            return next.startCall(call, metadata);
          }
        };
    grpcServer =
        InProcessServerBuilder.forName(name)
            .addService(
                ServerInterceptors.intercept(
                    new SideEffectService(n -> Behaviour.ANSWER).bindService(), headers))
            .build()
            .start();
    grpc = InProcessChannelBuilder.forName(name).build();
    quic = new QuicLoopback(dir, List.of(new SideEffectService(n -> overQuic)));
    MigrationStrategy preferQuic = MigrationStrategy.defaults().withPreferQuic("health", true);
    return TransportChoosingChannel.builder("peer-1", grpc)
        .quic(quic.channel())
        .strategy(() -> preferQuic)
        .meters(new SimpleMeterRegistry())
        .observations(observations)
        .scheduler(scheduler)
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    if (grpc != null) {
      grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (grpcServer != null) {
      grpcServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (quic != null) {
      quic.close();
    }
    scheduler.shutdownNow();
    provider.close();
  }

  /**
   * A READ call (safe to repeat) made asynchronously inside a caller's span, whose answer is
   * awaited outside it, so that a later attempt runs on another thread; the caller's span.
   */
  private SpanData callInSpan(Channel channel) throws Exception {
    Observation caller = Observation.start("test.caller", observations);
    ListenableFuture<EchoResponse> answer;
    try (Observation.Scope scope = caller.openScope()) {
      answer =
          ClientCalls.futureUnaryCall(
              channel.newCall(
                  SideEffectService.READ,
                  CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
              EchoRequest.newBuilder().setText("x").build());
    }
    assertThat(answer.get(20, TimeUnit.SECONDS).getText()).isEqualTo("x");
    caller.stop();
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == SpanKind.INTERNAL)
        .findFirst()
        .orElseThrow();
  }

  private List<SpanData> attempts() {
    return spans.getFinishedSpanItems().stream()
        .filter(s -> s.getKind() == SpanKind.CLIENT)
        .toList();
  }

  @Test
  void shouldTagTheAttemptWithTheTransportItUsed() throws Exception {
    Channel channel = start(Behaviour.ANSWER);

    SpanData caller = callInSpan(channel);

    assertThat(attempts())
        .singleElement()
        .satisfies(
            attempt -> {
              assertThat(attempt.getName()).isEqualTo(SideEffectService.READ.getFullMethodName());
              assertThat(attempt.getTraceId()).isEqualTo(caller.getTraceId());
              assertThat(attempt.getParentSpanId()).isEqualTo(caller.getSpanId());
              assertThat(attempt.getAttributes().get(TRANSPORT)).isEqualTo("quic");
              assertThat(attempt.getAttributes().get(STATUS)).isEqualTo("OK");
            });
    assertThat(grpcTraceparent.get()).isNull();
  }

  @Test
  void shouldKeepTheCallersTraceWhenTheCallMovesToGrpc() throws Exception {
    Channel channel = start(Behaviour.FAIL_AFTER_RUNNING);

    SpanData caller = callInSpan(channel);

    List<SpanData> attempts = attempts();
    assertThat(attempts).hasSize(2);
    assertThat(attempts).allMatch(a -> a.getTraceId().equals(caller.getTraceId()));
    assertThat(attempts).allMatch(a -> a.getParentSpanId().equals(caller.getSpanId()));
    assertThat(attempts)
        .extracting(a -> a.getAttributes().get(TRANSPORT) + " " + a.getAttributes().get(STATUS))
        .containsExactly("quic UNAVAILABLE", "grpc OK");
    SpanData overGrpc = attempts.get(1);
    assertThat(grpcTraceparent.get())
        .isEqualTo("00-" + overGrpc.getTraceId() + "-" + overGrpc.getSpanId() + "-01");
  }
}
