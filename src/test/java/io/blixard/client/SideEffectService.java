package io.blixard.client;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A service in the health namespace (so the migration strategy routes it like health) with one
 * method that changes something ({@code Bump}, not idempotent) and one that only reads ({@code
 * Read}, declared free of side effects), served the same way in-process and over QUIC. Each call is
 * counted, and its {@link Behaviour} chosen by its number (0 for the first call).
 */
final class SideEffectService implements BindableService {

  static final String NAME = "blixard.health.v1.SideEffectService";

  static final MethodDescriptor<EchoRequest, EchoResponse> BUMP = method("Bump", false);
  static final MethodDescriptor<EchoRequest, EchoResponse> READ = method("Read", true);

  private static MethodDescriptor<EchoRequest, EchoResponse> method(String name, boolean safe) {
    return MethodDescriptor.<EchoRequest, EchoResponse>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(NAME, name))
        .setRequestMarshaller(ProtoUtils.marshaller(EchoRequest.getDefaultInstance()))
        .setResponseMarshaller(ProtoUtils.marshaller(EchoResponse.getDefaultInstance()))
        .setSafe(safe)
        .setIdempotent(safe)
        .build();
  }

  /** What the handler does with one call. */
  enum Behaviour {
    /** Answers with the request's text. */
    ANSWER,
    /** Runs (the call is counted), then fails with UNAVAILABLE as an overloaded server might. */
    FAIL_AFTER_RUNNING,
    /** Waits until the call is cancelled (by its client or its deadline). */
    WAIT_FOR_CANCEL
  }

  final AtomicInteger calls = new AtomicInteger();

  /** The deadline each call's handler saw, in call order (empty: the call had none). */
  final List<Optional<Deadline>> deadlines = new CopyOnWriteArrayList<>();

  /** Counts down when a waiting handler sees its call cancelled. */
  final CountDownLatch cancelled = new CountDownLatch(1);

  /** Counts down when a waiting handler has started. */
  final CountDownLatch waiting = new CountDownLatch(1);

  private final IntFunction<Behaviour> behaviour;

  SideEffectService(IntFunction<Behaviour> behaviour) {
    this.behaviour = behaviour;
  }

  @Override
  public ServerServiceDefinition bindService() {
    return ServerServiceDefinition.builder(NAME)
        .addMethod(BUMP, ServerCalls.asyncUnaryCall(this::handle))
        .addMethod(READ, ServerCalls.asyncUnaryCall(this::handle))
        .build();
  }

  private void handle(EchoRequest request, StreamObserver<EchoResponse> observer) {
    int number = calls.getAndIncrement();
    deadlines.add(Optional.ofNullable(Context.current().getDeadline()));
    switch (behaviour.apply(number)) {
      case ANSWER -> {
        observer.onNext(EchoResponse.newBuilder().setText(request.getText()).build());
        observer.onCompleted();
      }
      case FAIL_AFTER_RUNNING ->
          observer.onError(
              Status.UNAVAILABLE
                  .withDescription("ran call " + number + ", then failed")
                  .asRuntimeException());
      case WAIT_FOR_CANCEL -> {
        Context.current().addListener(c -> cancelled.countDown(), Runnable::run);
        waiting.countDown();
      }
    }
  }
}
