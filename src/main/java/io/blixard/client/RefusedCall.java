package io.blixard.client;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * A call refused before anything was sent: started, it closes with its status on the call's
 * executor; everything else does nothing.
 */
final class RefusedCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

  private final Status status;
  private final Executor executor;

  RefusedCall(Status status, CallOptions options) {
    this.status = status;
    this.executor = options.getExecutor() != null ? options.getExecutor() : Runnable::run;
  }

  @Override
  public void start(Listener<RespT> listener, Metadata headers) {
    executor.execute(() -> listener.onClose(status, new Metadata()));
  }

  @Override
  public void request(int numMessages) {}

  @Override
  public void cancel(String message, Throwable cause) {}

  @Override
  public void halfClose() {}

  @Override
  public void sendMessage(ReqT message) {}
}
