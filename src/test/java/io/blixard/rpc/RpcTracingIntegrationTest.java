package io.blixard.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.cli.BlixardCliAccess;
import io.blixard.peers.PeerChannels;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.support.TestChannels;
import io.blixard.support.TestNode;
import io.blixard.support.TestSpans;
import io.blixard.transport.Transport;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;

/**
 * Trace context across both transports, on real nodes: a call that carries a {@code traceparent} is
 * a server span of that trace on either transport, and a call a node makes to its peer while it
 * serves one is a client span of the same trace, whose context the peer continues, whichever
 * transport each hop used.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RpcTracingIntegrationTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN_ID = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-" + CALLER_SPAN_ID + "-01";
  private static final AttributeKey<String> TRANSPORT = AttributeKey.stringKey("blixard.transport");
  private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("rpc.service");
  private static final AttributeKey<String> METHOD = AttributeKey.stringKey("rpc.method");
  private static final AttributeKey<String> STATUS = AttributeKey.stringKey("grpc.status_code");

  private TestNode first;
  private TestNode second;
  private final List<TestChannels.Opened> opened = new ArrayList<>();

  /**
   * A service of the first node only that calls the peer its request names ({@code text}: a member
   * address) with {@code HealthService/Ping}, through the node's own peer channels, while it serves
   * the call: the shape of every node-to-peer call made on a caller's behalf.
   */
  public static class Relay {
    @Bean
    BindableService relayService(ObjectProvider<PeerChannels> peers) {
      return new EchoServiceGrpc.EchoServiceImplBase() {
        @Override
        public void unary(EchoRequest request, StreamObserver<EchoResponse> observer) {
          var reply =
              HealthServiceGrpc.newBlockingStub(peers.getObject().channel(request.getText()))
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .ping(PingRequest.getDefaultInstance());
          observer.onNext(EchoResponse.newBuilder().setText(reply.getNodeId()).build());
          observer.onCompleted();
        }
      };
    }
  }

  @BeforeAll
  void startTwoNodes(@TempDir Path dirs) {
    List<String> args = new ArrayList<>(List.of(TestSpans.ARGS));
    // Security is not what this test is about; insecure mode lets the relay service be called.
    args.add("--blixard.security.mode=insecure");
    first =
        TestNode.start(
            List.of(TestSpans.class, Relay.class), dirs.resolve("a"), args.toArray(String[]::new));
    await().atMost(Duration.ofSeconds(30)).until(() -> first.raft().leaderId().isPresent());
    second =
        TestNode.join(
            List.of(TestSpans.class), dirs.resolve("b"), first, args.toArray(String[]::new));
  }

  @AfterAll
  void stopNodes() {
    Stream.of(second, first).filter(n -> n != null).forEach(TestNode::close);
  }

  @BeforeEach
  void forgetEarlierSpans() {
    Stream.of(first, second).forEach(n -> n.bean(InMemorySpanExporter.class).reset());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void shouldContinueTheCallersTraceInAServerSpan(Transport transport) throws Exception {
    HealthServiceGrpc.newBlockingStub(withTraceparent(open(first, transport)))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(CheckRequest.getDefaultInstance());

    SpanData span = awaitSpan(first, SpanKind.SERVER, "blixard.health.v1.HealthService/Check");
    assertThat(span.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(span.getParentSpanId()).isEqualTo(CALLER_SPAN_ID);
    assertThat(span.getAttributes().get(TRANSPORT)).isEqualTo(transport.tag());
    assertThat(span.getAttributes().get(SERVICE)).isEqualTo("blixard.health.v1.HealthService");
    assertThat(span.getAttributes().get(METHOD)).isEqualTo("Check");
    assertThat(span.getAttributes().get(STATUS)).isEqualTo("OK");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void shouldFollowTheCallOnToThePeerOverTheOtherTransport(Transport toFirst) throws Exception {
    Transport toPeer = toFirst == Transport.QUIC ? Transport.GRPC : Transport.QUIC;
    String peer = toPeer == Transport.QUIC ? second.quicMemberAddress() : second.grpcAddress();

    EchoResponse answer =
        EchoServiceGrpc.newBlockingStub(withTraceparent(open(first, toFirst)))
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .unary(EchoRequest.newBuilder().setText(peer).build());
    assertThat(answer.getText()).isEqualTo(second.id().value());

    SpanData relayed = awaitSpan(first, SpanKind.SERVER, "blixard.test.v1.EchoService/Unary");
    SpanData call = awaitSpan(first, SpanKind.CLIENT, "blixard.health.v1.HealthService/Ping");
    SpanData pinged = awaitSpan(second, SpanKind.SERVER, "blixard.health.v1.HealthService/Ping");
    assertThat(List.of(relayed, call, pinged)).allMatch(s -> s.getTraceId().equals(TRACE_ID));
    assertThat(relayed.getParentSpanId()).isEqualTo(CALLER_SPAN_ID);
    assertThat(call.getParentSpanId()).isEqualTo(relayed.getSpanId());
    assertThat(pinged.getParentSpanId()).isEqualTo(call.getSpanId());
    assertThat(relayed.getAttributes().get(TRANSPORT)).isEqualTo(toFirst.tag());
    assertThat(call.getAttributes().get(TRANSPORT)).isEqualTo(toPeer.tag());
    assertThat(pinged.getAttributes().get(TRANSPORT)).isEqualTo(toPeer.tag());
    assertThat(call.getAttributes().get(STATUS)).isEqualTo("OK");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void shouldStartATraceForACallWithoutTraceparent(Transport transport) throws Exception {
    HealthServiceGrpc.newBlockingStub(open(first, transport))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(CheckRequest.getDefaultInstance());

    SpanData span =
        awaitSpan(
            first, SpanKind.SERVER, "blixard.health.v1.HealthService/Check", notInTheTestsTrace());
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(span.getAttributes().get(TRANSPORT)).isEqualTo(transport.tag());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void shouldServeACallWhoseTraceparentIsMalformed(Transport transport) throws Exception {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), "00-not-a-trace");
    var answer =
        HealthServiceGrpc.newBlockingStub(
                ClientInterceptors.intercept(
                    open(first, transport), MetadataUtils.newAttachHeadersInterceptor(headers)))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(CheckRequest.getDefaultInstance());
    assertThat(answer.getNodeId()).isEqualTo(first.id().value());

    SpanData span =
        awaitSpan(
            first, SpanKind.SERVER, "blixard.health.v1.HealthService/Check", notInTheTestsTrace());
    assertThat(span.getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void shouldCarryTheTraceOfACommandWithTrace() {
    String[] traced =
        BlixardCliAccess.run(
            "health", "--trace", "--transport", "quic", "--node", first.grpcAddress());
    assertThat(traced[0]).as(traced[2]).isEqualTo("0");
    Matcher printed = Pattern.compile("blixard: trace ([0-9a-f]{32})").matcher(traced[2]);
    assertThat(printed.find()).as(traced[2]).isTrue();
    String traceId = printed.group(1);

    SpanData discovery =
        awaitSpan(
            first,
            SpanKind.SERVER,
            "blixard.transport.v1.TransportService/GetTransportInfo",
            s -> s.getTraceId().equals(traceId));
    SpanData check =
        awaitSpan(
            first,
            SpanKind.SERVER,
            "blixard.health.v1.HealthService/Check",
            s -> s.getTraceId().equals(traceId));
    assertThat(discovery.getAttributes().get(TRANSPORT)).isEqualTo("grpc");
    assertThat(check.getAttributes().get(TRANSPORT)).isEqualTo("quic");
    assertThat(check.getParentSpanContext().isRemote()).isTrue();
  }

  @Test
  void shouldSendNoTraceContextFromACommandWithoutTrace() {
    String[] plain = BlixardCliAccess.run("health", "--node", first.grpcAddress());
    assertThat(plain[0]).as(plain[2]).isEqualTo("0");
    assertThat(plain[2]).doesNotContain("trace");

    SpanData check =
        awaitSpan(
            first, SpanKind.SERVER, "blixard.health.v1.HealthService/Check", notInTheTestsTrace());
    assertThat(check.getParentSpanContext().isValid()).isFalse();
  }

  /**
   * {@code management.tracing.enabled=false}: Spring Boot propagates no context (and makes no OTLP
   * exporter); the node serves as before, and its spans, local only, start traces of their own.
   */
  @Test
  void shouldServeBothTransportsWithoutPropagationWhenTracingIsOff(@TempDir Path dirs)
      throws Exception {
    List<String> args = new ArrayList<>(List.of(TestSpans.ARGS));
    args.add("--blixard.security.mode=insecure");
    args.add("--management.tracing.enabled=false");
    try (TestNode off =
        TestNode.start(
            List.of(TestSpans.class), dirs.resolve("off"), args.toArray(String[]::new))) {
      for (Transport transport : Transport.values()) {
        var answer =
            HealthServiceGrpc.newBlockingStub(withTraceparent(open(off, transport)))
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(CheckRequest.getDefaultInstance());
        assertThat(answer.getNodeId()).isEqualTo(off.id().value());
        SpanData span =
            awaitSpan(
                off,
                SpanKind.SERVER,
                "blixard.health.v1.HealthService/Check",
                notInTheTestsTrace());
        assertThat(span.getParentSpanContext().isValid()).isFalse();
        assertThat(span.getAttributes().get(TRANSPORT)).isEqualTo(transport.tag());
        off.bean(InMemorySpanExporter.class).reset();
      }
      assertThat(TestSpans.of(off)).noneMatch(s -> s.getTraceId().equals(TRACE_ID));
    }
  }

  private Channel open(TestNode node, Transport transport) {
    TestChannels.Opened channel = node.open(transport);
    opened.add(channel);
    return channel.channel();
  }

  private static Channel withTraceparent(Channel channel) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER), TRACEPARENT);
    return ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** The one span of {@code kind} named {@code name} in the test's trace. */
  private static SpanData awaitSpan(TestNode node, SpanKind kind, String name) {
    return awaitSpan(node, kind, name, s -> s.getTraceId().equals(TRACE_ID));
  }

  /**
   * The one span of {@code kind} named {@code name} that {@code which} selects among those the node
   * has exported, once it has (the peers' probes make spans of their own all the while).
   */
  private static SpanData awaitSpan(
      TestNode node, SpanKind kind, String name, Predicate<SpanData> which) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                TestSpans.of(node).stream()
                    .filter(s -> s.getKind() == kind && s.getName().equals(name))
                    .filter(which)
                    .toList(),
            spans -> spans.size() == 1)
        .get(0);
  }

  private static Predicate<SpanData> notInTheTestsTrace() {
    return s -> !s.getTraceId().equals(TRACE_ID);
  }

  @AfterEach
  void closeChannels() throws Exception {
    for (TestChannels.Opened channel : opened) {
      channel.close();
    }
    opened.clear();
  }
}
