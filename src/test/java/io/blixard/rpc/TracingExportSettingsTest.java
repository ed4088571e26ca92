package io.blixard.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.tracing.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.opentelemetry.OpenTelemetryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.tracing.MicrometerTracingAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.tracing.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.tracing.otlp.OtlpTracingAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * What the node's tracing settings make of Spring Boot's tracing auto-configuration: propagation
 * and spans always, an OTLP exporter only when {@code management.otlp.tracing.endpoint} is set.
 */
class TracingExportSettingsTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  ObservationAutoConfiguration.class,
                  OpenTelemetryAutoConfiguration.class,
                  OpenTelemetryTracingAutoConfiguration.class,
                  MicrometerTracingAutoConfiguration.class,
                  OtlpTracingAutoConfiguration.class));

  @Test
  void shouldExportNothingWithoutAnEndpoint() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(Tracer.class);
          assertThat(context).doesNotHaveBean(SpanExporter.class);
        });
  }

  @Test
  void shouldExportOverOtlpWhenAnEndpointIsSet() {
    runner
        .withPropertyValues("management.otlp.tracing.endpoint=http://127.0.0.1:4318/v1/traces")
        .run(context -> assertThat(context).hasSingleBean(OtlpHttpSpanExporter.class));
  }

  @Test
  void shouldExportNothingWithTracingOffEvenWithAnEndpoint() {
    runner
        .withPropertyValues(
            "management.tracing.enabled=false",
            "management.otlp.tracing.endpoint=http://127.0.0.1:4318/v1/traces")
        .run(context -> assertThat(context).doesNotHaveBean(SpanExporter.class));
  }
}
