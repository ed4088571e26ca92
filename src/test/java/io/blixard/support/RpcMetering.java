package io.blixard.support;

import io.blixard.rpc.RpcServerMetrics;
import io.blixard.rpc.ServerInterceptorChain;
import io.blixard.transport.Transport;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;

/**
 * The node's server metrics outside Spring: an observation registry that turns observations into
 * meters as Spring Boot's does, and the metrics link of the server interceptor chain.
 */
public final class RpcMetering {

  private RpcMetering() {}

  /** Observations recorded into {@code meters}, shaped as the node shapes them. */
  public static ObservationRegistry observations(MeterRegistry meters) {
    meters.config().meterFilter(new RpcServerMetrics.MeterShape());
    ObservationRegistry observations = ObservationRegistry.create();
    observations
        .observationConfig()
        .observationHandler(new DefaultMeterObservationHandler(meters))
        .observationHandler(new RpcServerMetrics.ServiceLatencyHandler(meters));
    return observations;
  }

  /** The metrics interceptor alone, for a server on {@code transport}. */
  public static List<ServerInterceptor> interceptors(MeterRegistry meters, Transport transport) {
    return new ServerInterceptorChain(List.of(RpcServerMetrics.interceptor(observations(meters))))
        .interceptors(transport);
  }
}
