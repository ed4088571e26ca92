package io.blixard.api;

import com.google.protobuf.ByteString;
import io.blixard.cluster.SnapshotService;
import io.blixard.proto.cluster.v1.SaveSnapshotRequest;
import io.blixard.proto.cluster.v1.SnapshotChunk;
import io.blixard.proto.cluster.v1.SnapshotServiceGrpc;
import io.grpc.stub.StreamObserver;
import org.springframework.grpc.server.service.GrpcService;

/** Serves {@link SnapshotService} as {@code blixard.cluster.v1.SnapshotService}. */
@GrpcService
public class GrpcSnapshotService extends SnapshotServiceGrpc.SnapshotServiceImplBase {

  /** The most bytes in one chunk, as the service definition says. */
  static final int CHUNK = 64 * 1024;

  private final SnapshotService snapshots;

  public GrpcSnapshotService(SnapshotService snapshots) {
    this.snapshots = snapshots;
  }

  @Override
  public void save(SaveSnapshotRequest request, StreamObserver<SnapshotChunk> observer) {
    byte[] file;
    try {
      file = snapshots.save();
    } catch (RuntimeException e) {
      observer.onError(GrpcErrors.toStatus(e).asRuntimeException());
      return;
    }
    // A registry is at most a few hundred KiB (its audit is bounded): sent whole, no flow control.
    for (int at = 0; at < file.length; at += CHUNK) {
      observer.onNext(
          SnapshotChunk.newBuilder()
              .setData(ByteString.copyFrom(file, at, Math.min(CHUNK, file.length - at)))
              .build());
    }
    observer.onCompleted();
  }
}
