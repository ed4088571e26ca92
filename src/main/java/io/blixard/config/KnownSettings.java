package io.blixard.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.json.JsonParserFactory;

/**
 * The {@code blixard.*} settings, as the configuration processor listed them at build time in
 * {@code META-INF/spring-configuration-metadata.json}: what an IDE completes is what the node
 * accepts.
 */
final class KnownSettings {

  static final String METADATA = "META-INF/spring-configuration-metadata.json";

  static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("blixard");

  /** A setting; a map or collection also owns every name below it (its keys and indexes). */
  private record Setting(String key, ConfigurationPropertyName name, boolean container) {}

  private final List<Setting> settings;
  private final List<ConfigurationPropertyName> groups;

  private KnownSettings(List<Setting> settings, List<ConfigurationPropertyName> groups) {
    this.settings = List.copyOf(settings);
    this.groups = List.copyOf(groups);
  }

  /**
   * The settings of every metadata file on the class path (only the node's has {@code blixard.*}
   * keys).
   *
   * @throws IllegalStateException when none lists a {@code blixard.*} setting: a build without the
   *     configuration processor, which could not tell a typo from a setting
   */
  static KnownSettings load(ClassLoader classLoader) {
    List<Setting> settings = new ArrayList<>();
    List<ConfigurationPropertyName> groups = new ArrayList<>();
    try {
      for (URL url : Collections.list(classLoader.getResources(METADATA))) {
        Map<String, Object> metadata = JsonParserFactory.getJsonParser().parseMap(read(url));
        for (Map<String, Object> property : entries(metadata, "properties")) {
          String key = (String) property.get("name");
          if (isBlixard(key)) {
            settings.add(
                new Setting(
                    key,
                    ConfigurationPropertyName.of(key),
                    isContainer(String.valueOf(property.get("type")))));
          }
        }
        for (Map<String, Object> group : entries(metadata, "groups")) {
          String key = (String) group.get("name");
          if (isBlixard(key)) {
            groups.add(ConfigurationPropertyName.of(key));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + METADATA, e);
    }
    if (settings.isEmpty()) {
      throw new IllegalStateException(
          "no blixard.* setting in any "
              + METADATA
              + " on the class path (expected: the one spring-boot-configuration-processor"
              + " writes when the node is built)");
    }
    return new KnownSettings(settings, groups);
  }

  /**
   * Whether {@code name} is a setting, a group of settings, or a key or index of a map or
   * collection setting ({@code blixard.transport.strategy.quic-share.health}, {@code
   * blixard.cluster.join[0]}). Names compare as the binder compares them: {@code peerTimeout} is
   * {@code peer-timeout}.
   */
  boolean contains(ConfigurationPropertyName name) {
    for (Setting setting : settings) {
      if (setting.name.equals(name) || setting.container && setting.name.isAncestorOf(name)) {
        return true;
      }
    }
    return groups.contains(name);
  }

  /** The setting whose key is nearest to {@code key}, if one is near enough to be meant. */
  Optional<String> nearest(String key) {
    String typed = key.toLowerCase(Locale.ROOT);
    return settings.stream()
        .map(Setting::key)
        .min(
            Comparator.comparingInt((String known) -> distance(typed, known)).thenComparing(k -> k))
        .filter(known -> distance(typed, known) <= Math.max(3, typed.length() / 3));
  }

  /** Levenshtein distance: insertions, deletions and substitutions. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static boolean isBlixard(String key) {
    return key != null && key.startsWith(PREFIX + ".");
  }

  private static boolean isContainer(String type) {
    return type.startsWith("java.util.Map")
        || type.startsWith("java.util.List")
        || type.startsWith("java.util.Set")
        || type.startsWith("java.util.Collection")
        || type.endsWith("[]");
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> entries(Map<String, Object> metadata, String field) {
    Object entries = metadata.get(field);
    return entries == null ? List.of() : (List<Map<String, Object>>) entries;
  }

  private static String read(URL url) throws IOException {
    try (InputStream in = url.openStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
