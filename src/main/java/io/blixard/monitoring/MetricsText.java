package io.blixard.monitoring;

/** A metrics exposition: its media type and its text. */
public record MetricsText(String contentType, String text) {}
