package io.blixard.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md against the configuration metadata the build generates: its reference table
 * lists every {@code blixard.*} setting and nothing else, with the default the node binds.
 */
class ConfigurationDocumentTest {

  /** A row of the reference table: {@code | `key` | default | meaning |}. */
  private static final Pattern ROW = Pattern.compile("^\\| `(blixard\\.[^`]+)` \\| ([^|]*) \\|");

  /** A setting named anywhere in the page (proto packages and metric names are not settings). */
  private static final Pattern MENTION =
      Pattern.compile(
          "blixard\\.(?:node|cluster|security|transport|vm)\\.[a-z][a-z0-9.-]*[a-z0-9]");

  private final ConfigurationMetadata metadata = ConfigurationMetadata.load();
  private String page;
  private Map<String, String> documented;

  @BeforeEach
  void readPage() throws IOException {
    page = Files.readString(Path.of("docs/configuration.md"));
    documented = new LinkedHashMap<>();
    for (String line : page.lines().toList()) {
      Matcher row = ROW.matcher(line);
      if (row.find()) {
        // A map setting is documented with its key: quic-share.<service>.
        documented.put(row.group(1).replaceFirst("\\.<[a-z]+>$", ""), row.group(2).trim());
      }
    }
  }

  @Test
  void shouldDocumentOnlySettingsThatExist() {
    assertThat(documented).isNotEmpty();
    assertThat(metadata.blixardProperties().keySet()).containsAll(documented.keySet());
  }

  @Test
  void shouldDocumentEverySetting() {
    assertThat(documented.keySet())
        .containsExactlyInAnyOrderElementsOf(metadata.blixardProperties().keySet());
  }

  @Test
  void shouldNameOnlySettingsThatExistAnywhereInThePage() {
    Matcher mention = MENTION.matcher(page);
    while (mention.find()) {
      String key = mention.group();
      if (page.startsWith(" is not a Blixard setting", mention.end())) {
        continue; // the page's example of a typo
      }
      assertThat(isSettingOrGroup(key)).as("%s is a setting", key).isTrue();
    }
  }

  @Test
  void shouldDocumentTheDefaultTheNodeBinds() {
    metadata
        .blixardProperties()
        .forEach(
            (key, property) -> {
              if (property.has("defaultValue")) {
                assertThat(documented.get(key))
                    .as("default of %s", key)
                    .startsWith("`" + text(property.get("defaultValue")) + "`");
              }
            });
  }

  private boolean isSettingOrGroup(String key) {
    return metadata.blixardProperties().keySet().stream()
        .anyMatch(setting -> setting.equals(key) || setting.startsWith(key + "."));
  }

  private static String text(JsonNode value) {
    if (value.isArray()) {
      return StreamSupport.stream(value.spliterator(), false)
          .map(JsonNode::asText)
          .collect(Collectors.joining(", "));
    }
    // The data directory is written ./data in application.yml and the docs.
    return value.asText().equals("data") ? "./data" : value.asText();
  }
}
