package io.blixard.support;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import org.springframework.context.annotation.Bean;

/**
 * A node configuration source ({@link TestNode#start(List, java.nio.file.Path, String...)}) that
 * keeps the node's finished spans in memory: the exporter is one more {@code SpanExporter} bean, so
 * spans reach it through the same batch processor that feeds OTLP export. {@link #ARGS} samples
 * every trace and exports every few milliseconds.
 */
public class TestSpans {

  /** Every trace sampled, batches sent at once. */
  public static final String[] ARGS = {
    "--management.tracing.sampling.probability=1.0",
    "--management.tracing.opentelemetry.export.schedule-delay=20ms"
  };

  @Bean
  InMemorySpanExporter inMemorySpanExporter() {
    return InMemorySpanExporter.create();
  }

  /** The spans {@code node} has finished and exported so far. */
  public static List<SpanData> of(TestNode node) {
    return node.bean(InMemorySpanExporter.class).getFinishedSpanItems();
  }
}
