package io.blixard.migration;

import io.blixard.proto.transport.v1.GetTransportFiguresResponse;
import io.blixard.proto.transport.v1.TransportFigure;
import io.blixard.rpc.RpcLatencyBuckets;
import io.blixard.rpc.ServiceNames;
import io.blixard.rpc.TransportFigures;
import io.blixard.transport.Transport;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A node's {@link TransportFigures} as {@code GetTransportFigures} answers them, and back. */
public final class FigureProtos {

  private static final List<Long> BOUNDS =
      Arrays.stream(RpcLatencyBuckets.BOUNDS).map(Duration::toNanos).toList();

  private FigureProtos() {}

  /** This node's figures now. */
  public static GetTransportFiguresResponse toProto(String nodeId, TransportFigures figures) {
    GetTransportFiguresResponse.Builder answer =
        GetTransportFiguresResponse.newBuilder()
            .setNodeId(nodeId)
            .setInstance(figures.instance())
            .addAllBucketBoundsNanos(BOUNDS);
    figures
        .snapshot()
        .forEach(
            (key, counts) ->
                answer.addFigures(
                    TransportFigure.newBuilder()
                        .setSide(key.side().tag())
                        .setService(key.service())
                        .setTransport(key.transport().tag())
                        .setCalls(counts.calls())
                        .setErrors(counts.errors())
                        .addAllBuckets(Arrays.stream(counts.buckets()).boxed().toList())));
    return answer.build();
  }

  /**
   * A member's answer as the guard adds it up; empty when its buckets are not this build's (a
   * member of another build could not be added bucket by bucket). Figures of sides, services or
   * transports this build does not know are left out.
   */
  public static Optional<NodeFigures> fromProto(GetTransportFiguresResponse answer) {
    if (!answer.getBucketBoundsNanosList().equals(BOUNDS)) {
      return Optional.empty();
    }
    Map<TransportFigures.Key, TransportFigures.Counts> counts = new HashMap<>();
    for (TransportFigure f : answer.getFiguresList()) {
      Optional<TransportFigures.Side> side = side(f.getSide());
      Optional<Transport> transport = transport(f.getTransport());
      if (side.isEmpty()
          || transport.isEmpty()
          || !ServiceNames.KNOWN.contains(f.getService())
          || f.getBucketsCount() != TransportFigures.BUCKETS) {
        continue;
      }
      counts.put(
          new TransportFigures.Key(side.get(), f.getService(), transport.get()),
          new TransportFigures.Counts(
              f.getCalls(),
              f.getErrors(),
              f.getBucketsList().stream().mapToLong(Long::longValue).toArray()));
    }
    return Optional.of(new NodeFigures(answer.getNodeId(), answer.getInstance(), counts));
  }

  private static Optional<TransportFigures.Side> side(String tag) {
    return Arrays.stream(TransportFigures.Side.values())
        .filter(s -> s.tag().equals(tag))
        .findFirst();
  }

  private static Optional<Transport> transport(String tag) {
    return Arrays.stream(Transport.values()).filter(t -> t.tag().equals(tag)).findFirst();
  }
}
