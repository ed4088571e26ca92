package io.blixard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blixard.cluster.ClusterProperties;
import io.blixard.transport.grpc.GrpcTransportProperties;
import io.blixard.transport.quic.QuicTransportProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.FileSystemResource;
import org.yaml.snakeyaml.Yaml;

/**
 * What the deployment files must agree with: the node's own configuration, read from the top-level
 * application.yml (the jar's built-in configuration) and bound to the node's *Properties types, so
 * a port or path changed in the application breaks these tests until the deployment files follow.
 */
final class ApplicationConfig {

  /** Maven runs tests in the project's base directory. */
  static final Path ROOT = Path.of("").toAbsolutePath();

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+):([^}]*)}");

  private final List<Map<String, Object>> documents;
  private final Binder defaults;

  private ApplicationConfig(List<Map<String, Object>> documents, Binder defaults) {
    this.documents = documents;
    this.defaults = defaults;
  }

  static ApplicationConfig load() {
    Path file = ROOT.resolve("application.yml");
    try {
      List<Map<String, Object>> documents = new ArrayList<>();
      for (Object document : new Yaml().loadAll(Files.readString(file))) {
        documents.add(asMap(document, "document of " + file));
      }
      List<PropertySource<?>> sources =
          new YamlPropertySourceLoader().load("application.yml", new FileSystemResource(file));
      // The first document holds the defaults; the others are profiles.
      Binder binder = new Binder(ConfigurationPropertySources.from(sources.get(0)));
      return new ApplicationConfig(documents, binder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int raftPort() {
    return defaults.bindOrCreate("blixard.cluster", ClusterProperties.class).raft().port();
  }

  int grpcPort() {
    return defaults.bindOrCreate("blixard.transport.grpc", GrpcTransportProperties.class).port();
  }

  int quicPort() {
    return defaults.bindOrCreate("blixard.transport.quic", QuicTransportProperties.class).port();
  }

  int httpPort() {
    return defaults.bind("server.port", Integer.class).orElse(8080);
  }

  /** The ports a node listens on by default, as "port/protocol". */
  Set<String> listeningPorts() {
    return Set.of(
        raftPort() + "/tcp", grpcPort() + "/tcp", quicPort() + "/udp", httpPort() + "/tcp");
  }

  /** Path of an Actuator endpoint over HTTP, e.g. /actuator/prometheus. */
  String actuatorPath(String endpoint) {
    String basePath =
        defaults.bind("management.endpoints.web.base-path", String.class).orElse("/actuator");
    return basePath + "/" + endpoint;
  }

  Set<String> exposedEndpoints() {
    String include =
        defaults.bind("management.endpoints.web.exposure.include", String.class).orElse("health");
    return Arrays.stream(include.split(",")).map(String::trim).collect(Collectors.toSet());
  }

  /** HTTP paths of the health groups the application defines (liveness, readiness). */
  Set<String> healthGroupPaths() {
    Object groups = get(documents.get(0), "management.endpoint.health.group");
    return asMap(groups, "management.endpoint.health.group in application.yml").keySet().stream()
        .map(group -> actuatorPath("health") + "/" + group)
        .collect(Collectors.toSet());
  }

  /** The document activated by the given profile, if application.yml has one. */
  Optional<Map<String, Object>> profile(String name) {
    for (Map<String, Object> document : documents) {
      Object profile = get(document, "spring.config.activate.on-profile");
      if (name.equals(profile)) {
        return Optional.of(document);
      }
    }
    return Optional.empty();
  }

  /**
   * An environment variable a profile reads through a ${NAME:default} placeholder of the given key,
   * with its default.
   */
  Map.Entry<String, String> environmentPlaceholder(String profile, String key) {
    Object value = get(profile(profile).orElseThrow(), key);
    assertThat(value)
        .as("%s in profile %s of application.yml", key, profile)
        .isInstanceOf(String.class);
    Matcher matcher = PLACEHOLDER.matcher((String) value);
    assertThat(matcher.lookingAt())
        .as("%s in profile %s is %s (expected: ${ENV_VAR:default})", key, profile, value)
        .isTrue();
    return Map.entry(matcher.group(1), matcher.group(2));
  }

  /**
   * Whether a configuration key is one the node knows: a key of application.yml's defaults (or an
   * entry of a map that is empty there, such as quic-share), a property of the configuration
   * metadata on the classpath (the node's own and Spring Boot's) or an entry of a map-valued one.
   */
  boolean isKnownKey(String key) {
    Map<String, Object> applicationKeys = flatten(documents.get(0));
    if (applicationKeys.containsKey(key)) {
      return true;
    }
    for (Map.Entry<String, Object> entry : applicationKeys.entrySet()) {
      if (entry.getValue() instanceof Map<?, ?> && key.startsWith(entry.getKey() + ".")) {
        return true;
      }
    }
    Metadata metadata = Metadata.INSTANCE;
    if (metadata.properties.contains(key)) {
      return true;
    }
    for (String mapProperty : metadata.mapProperties) {
      if (key.startsWith(mapProperty + ".")) {
        return true;
      }
    }
    return false;
  }

  /** Flattens nested maps into dotted keys; lists count as values. */
  static Map<String, Object> flatten(Map<String, Object> tree) {
    Map<String, Object> flat = new LinkedHashMap<>();
    flatten("", tree, flat);
    return flat;
  }

  private static void flatten(String prefix, Map<String, Object> tree, Map<String, Object> flat) {
    for (Map.Entry<String, Object> entry : tree.entrySet()) {
      String key = prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey();
      if (entry.getValue() instanceof Map<?, ?> nested && !nested.isEmpty()) {
        flatten(key, stringKeys(nested), flat);
      } else {
        flat.put(key, entry.getValue());
      }
    }
  }

  /** The value at a dotted path of nested maps, or null. */
  static Object get(Map<String, Object> tree, String dottedPath) {
    Object current = tree;
    for (String part : dottedPath.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }

  static Map<String, Object> asMap(Object value, String what) {
    assertThat(value).as(what + " (expected: a mapping)").isInstanceOf(Map.class);
    return stringKeys((Map<?, ?>) value);
  }

  @SuppressWarnings("unchecked")
  static List<Object> asList(Object value, String what) {
    assertThat(value).as(what + " (expected: a list)").isInstanceOf(List.class);
    return (List<Object>) value;
  }

  static Map<String, Object> stringKeys(Map<?, ?> map) {
    Map<String, Object> result = new LinkedHashMap<>();
    map.forEach((k, v) -> result.put(String.valueOf(k), v));
    return result;
  }

  /** Every META-INF/spring-configuration-metadata.json on the test classpath. */
  private static final class Metadata {

    static final Metadata INSTANCE = load();

    final Set<String> properties = new HashSet<>();
    final Set<String> mapProperties = new HashSet<>();

    private static Metadata load() {
      Metadata metadata = new Metadata();
      ObjectMapper mapper = new ObjectMapper();
      try {
        Enumeration<URL> files =
            ApplicationConfig.class
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json");
        while (files.hasMoreElements()) {
          try (InputStream in = files.nextElement().openStream()) {
            JsonNode root = mapper.readTree(in);
            for (JsonNode property : root.path("properties")) {
              String name = property.path("name").asText();
              metadata.properties.add(name);
              if (property.path("type").asText().startsWith("java.util.Map")) {
                metadata.mapProperties.add(name);
              }
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      assertThat(metadata.properties)
          .as("configuration metadata of the node (generated at compile time)")
          .contains("blixard.transport.grpc.port");
      return metadata;
    }
  }
}
