package io.blixard.api;

import io.blixard.cluster.AccessDeniedException;
import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.MemberConflictException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/** Turns domain failures into gRPC statuses, the same on every transport. */
final class GrpcErrors {

  private GrpcErrors() {}

  static Status toStatus(Throwable error) {
    if (error instanceof StatusRuntimeException sre) {
      return sre.getStatus();
    }
    if (error instanceof AccessDeniedException denied) {
      // The cluster's state, not the caller's rights, stands in the way of these.
      return switch (denied.reason()) {
        case "strategy_changed", "cluster_version" ->
            Status.FAILED_PRECONDITION.withDescription(error.getMessage());
        default -> Status.PERMISSION_DENIED.withDescription(error.getMessage());
      };
    }
    if (error instanceof MemberConflictException) {
      return Status.ALREADY_EXISTS.withDescription(error.getMessage());
    }
    if (error instanceof ClusterUnavailableException) {
      return Status.UNAVAILABLE.withDescription(error.getMessage());
    }
    if (error instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(error.getMessage());
    }
    if (error instanceof IllegalStateException) {
      return Status.FAILED_PRECONDITION.withDescription(error.getMessage());
    }
    return Status.INTERNAL.withDescription(error.toString()).withCause(error);
  }

  /** Answers a unary call with the supplier's value, or with the status of its failure. */
  static <T> void unary(StreamObserver<T> observer, Supplier<T> answer) {
    T value;
    try {
      value = answer.get();
    } catch (RuntimeException e) {
      observer.onError(toStatus(e).asRuntimeException());
      return;
    }
    observer.onNext(value);
    observer.onCompleted();
  }
}
