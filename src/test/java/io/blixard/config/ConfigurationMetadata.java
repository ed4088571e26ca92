package io.blixard.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.StreamSupport;

/**
 * The {@code blixard.*} entries of the configuration metadata the build generated ({@code
 * META-INF/spring-configuration-metadata.json}), for tests that check it and check against it.
 */
public record ConfigurationMetadata(
    Map<String, JsonNode> blixardProperties, Map<String, List<String>> blixardHints) {

  public static ConfigurationMetadata load() {
    Map<String, JsonNode> properties = new TreeMap<>();
    Map<String, List<String>> hints = new TreeMap<>();
    ObjectMapper json = new ObjectMapper();
    try {
      for (URL url :
          Collections.list(
              ConfigurationMetadata.class.getClassLoader().getResources(KnownSettings.METADATA))) {
        JsonNode metadata;
        try (InputStream in = url.openStream()) {
          metadata = json.readTree(in);
        }
        for (JsonNode property : metadata.path("properties")) {
          String name = property.path("name").asText();
          if (name.startsWith("blixard.")) {
            properties.put(name, property);
          }
        }
        for (JsonNode hint : metadata.path("hints")) {
          String name = hint.path("name").asText();
          if (name.startsWith("blixard.")) {
            hints.put(
                name,
                StreamSupport.stream(hint.path("values").spliterator(), false)
                    .map(value -> value.path("value").asText())
                    .toList());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ConfigurationMetadata(properties, hints);
  }
}
