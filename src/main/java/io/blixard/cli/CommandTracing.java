package io.blixard.cli;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.concurrent.Callable;

/**
 * The command line's {@code --trace}: the command runs in a span of its own, always sampled and
 * exported nowhere, whose W3C context every call of the command carries ({@code traceparent}). The
 * nodes it reaches record their spans under that trace id, whatever their own sampling probability
 * (their sampler follows a sampled parent), and export them where they export; the command prints
 * the id so the trace can be found there.
 */
final class CommandTracing implements AutoCloseable {

  private final SdkTracerProvider provider;
  private final OtelTracer tracer;
  private final ObservationRegistry observations = ObservationRegistry.create();

  private CommandTracing() {
    provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build();
    io.opentelemetry.api.trace.Tracer otel = provider.get("blixard-cli");
    ContextPropagators propagators =
        ContextPropagators.create(W3CTraceContextPropagator.getInstance());
    tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {});
    observations
        .observationConfig()
        .observationHandler(
            new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(
                    tracer, new OtelPropagator(propagators, otel)),
                new DefaultTracingObservationHandler(tracer)));
  }

  /** Tracing for one command. */
  static CommandTracing start() {
    return new CommandTracing();
  }

  /** Where the command's clients observe their calls. */
  ObservationRegistry observations() {
    return observations;
  }

  /**
   * Runs {@code body} in the command's span, named {@code command}; {@code onTrace} is told the
   * trace id first.
   */
  <T> T inSpan(String command, java.util.function.Consumer<String> onTrace, Callable<T> body)
      throws Exception {
    Observation observation =
        Observation.createNotStarted("blixard.cli", observations).contextualName(command).start();
    try (Observation.Scope scope = observation.openScope()) {
      onTrace.accept(tracer.currentSpan().context().traceId());
      return body.call();
    } catch (Exception | Error e) {
      observation.error(e);
      throw e;
    } finally {
      observation.stop();
    }
  }

  @Override
  public void close() {
    provider.close();
  }
}
