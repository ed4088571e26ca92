package io.blixard.transport.quic;

import com.google.protobuf.ByteString;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Every call shape, for transport tests: echoes, streams, holds answers, fails on request. */
public final class EchoTestService extends EchoServiceGrpc.EchoServiceImplBase {

  /** Counts down when a handler sees its call cancelled (by the client or its deadline). */
  public volatile CountDownLatch cancelled = new CountDownLatch(1);

  public final AtomicInteger calls = new AtomicInteger();

  /** Client-streaming calls whose client has sent its last message. */
  public final AtomicInteger halfClosed = new AtomicInteger();

  /** The thread the last unary handler ran on. */
  public volatile String lastThread;

  @Override
  public void unary(EchoRequest request, StreamObserver<EchoResponse> observer) {
    calls.incrementAndGet();
    lastThread = Thread.currentThread().getName();
    if (request.getFailWithCode() != 0) {
      observer.onError(
          Status.fromCodeValue(request.getFailWithCode())
              .withDescription(request.getText())
              .asRuntimeException());
      return;
    }
    if (request.getCount() > 0 && !holdUnlessCancelled(request.getCount())) {
      return;
    }
    observer.onNext(response(request.getText(), request.getPayload(), 0));
    observer.onCompleted();
  }

  /**
   * A slow handler: holds its answer for {@code millis}, or until the call is cancelled (by the
   * client or its deadline), whichever comes first. False if it was cancelled.
   */
  private boolean holdUnlessCancelled(long millis) {
    Context context = Context.current();
    CountDownLatch callCancelled = new CountDownLatch(1);
    context.addListener(
        c -> {
          callCancelled.countDown();
          cancelled.countDown();
        },
        Runnable::run);
    try {
      callCancelled.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !context.isCancelled();
  }

  @Override
  public void serverStream(EchoRequest request, StreamObserver<EchoResponse> observer) {
    calls.incrementAndGet();
    var call = (io.grpc.stub.ServerCallStreamObserver<EchoResponse>) observer;
    call.setOnCancelHandler(() -> cancelled.countDown());
    for (int i = 0; i < request.getCount(); i++) {
      if (call.isCancelled()) {
        return;
      }
      observer.onNext(response(request.getText(), request.getPayload(), i));
    }
    if (request.getFailWithCode() != 0) {
      observer.onError(
          Status.fromCodeValue(request.getFailWithCode())
              .withDescription(request.getText())
              .asRuntimeException());
      return;
    }
    observer.onCompleted();
  }

  @Override
  public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoResponse> observer) {
    calls.incrementAndGet();
    StringBuilder texts = new StringBuilder();
    AtomicInteger count = new AtomicInteger();
    return new StreamObserver<>() {
      int holdMillis;

      @Override
      public void onNext(EchoRequest value) {
        texts.append(value.getText());
        count.incrementAndGet();
        holdMillis = Math.max(holdMillis, value.getCount());
      }

      @Override
      public void onError(Throwable t) {
        cancelled.countDown();
      }

      @Override
      public void onCompleted() {
        halfClosed.incrementAndGet();
        if (holdMillis > 0 && !holdUnlessCancelled(holdMillis)) {
          return;
        }
        observer.onNext(response(texts.toString(), ByteString.EMPTY, count.get()));
        observer.onCompleted();
      }
    };
  }

  @Override
  public StreamObserver<EchoRequest> bidi(StreamObserver<EchoResponse> observer) {
    calls.incrementAndGet();
    AtomicInteger sequence = new AtomicInteger();
    return new StreamObserver<>() {
      @Override
      public void onNext(EchoRequest value) {
        observer.onNext(response(value.getText(), value.getPayload(), sequence.getAndIncrement()));
      }

      @Override
      public void onError(Throwable t) {
        cancelled.countDown();
      }

      @Override
      public void onCompleted() {
        observer.onCompleted();
      }
    };
  }

  private static EchoResponse response(String text, ByteString payload, int sequence) {
    return EchoResponse.newBuilder()
        .setText(text)
        .setPayload(payload)
        .setSequence(sequence)
        .build();
  }
}
