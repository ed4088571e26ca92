package io.blixard.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.QuicAlpn;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an IDE learns about every {@code blixard.*} key from the configuration metadata. */
class ConfigurationMetadataTest {

  private final ConfigurationMetadata metadata = ConfigurationMetadata.load();

  @Test
  void shouldDescribeEveryBlixardSetting() {
    assertThat(metadata.blixardProperties()).hasSizeGreaterThan(40);
    metadata
        .blixardProperties()
        .forEach(
            (name, property) ->
                assertThat(property.path("description").asText())
                    .as("description of %s", name)
                    .isNotBlank()
                    .endsWith("."));
  }

  @Test
  void shouldListEachStrategySettingOnItsOwn() {
    assertThat(metadata.blixardProperties().keySet())
        .filteredOn(name -> name.startsWith("blixard.transport.strategy."))
        .containsExactlyInAnyOrder(
            "blixard.transport.strategy.prefer-quic-for",
            "blixard.transport.strategy.raft-transport",
            "blixard.transport.strategy.fallback-to-grpc",
            "blixard.transport.strategy.quic-share",
            "blixard.transport.strategy.adaptive.enabled",
            "blixard.transport.strategy.adaptive.latency-threshold",
            "blixard.transport.strategy.adaptive.min-samples",
            "blixard.transport.strategy.served-on",
            "blixard.transport.strategy.guard.enabled",
            "blixard.transport.strategy.guard.window",
            "blixard.transport.strategy.guard.interval",
            "blixard.transport.strategy.guard.min-samples",
            "blixard.transport.strategy.guard.max-error-ratio-increase",
            "blixard.transport.strategy.guard.max-p99-ratio",
            "blixard.transport.strategy.guard.promote.enabled",
            "blixard.transport.strategy.guard.promote.step",
            "blixard.transport.strategy.guard.promote.healthy-windows");
  }

  @Test
  void shouldGiveTheDefaultOfEverySettingThatHasOne() {
    List<String> withoutDefault =
        List.of(
            "blixard.cluster.join",
            "blixard.cluster.join-token",
            "blixard.security.bootstrap-token",
            "blixard.security.operator-dir",
            "blixard.security.operators",
            "blixard.transport.strategy.prefer-quic-for",
            "blixard.transport.strategy.quic-share",
            "blixard.transport.strategy.served-on");
    metadata
        .blixardProperties()
        .forEach(
            (name, property) ->
                assertThat(property.has("defaultValue"))
                    .as("default of %s", name)
                    .isEqualTo(!withoutDefault.contains(name)));
  }

  @Test
  void shouldHintTheValuesOfEveryEnumSetting() throws ClassNotFoundException {
    for (Map.Entry<String, JsonNode> entry : metadata.blixardProperties().entrySet()) {
      Class<?> type = typeOf(entry.getValue());
      if (type != null && type.isEnum()) {
        assertThat(metadata.blixardHints().get(entry.getKey()))
            .as("values of %s", entry.getKey())
            .containsExactlyElementsOf(valuesOf(type));
      }
    }
    assertThat(metadata.blixardHints())
        .containsKeys(
            "blixard.transport.mode",
            "blixard.security.mode",
            "blixard.transport.strategy.raft-transport");
  }

  @Test
  void shouldHintTheServiceNamesAndTransportsOfTheStrategy() {
    assertThat(metadata.blixardHints())
        .containsEntry("blixard.transport.strategy.prefer-quic-for", ServiceNames.KNOWN)
        .containsEntry("blixard.transport.strategy.quic-share.keys", ServiceNames.KNOWN)
        .containsEntry("blixard.transport.strategy.served-on.keys", ServiceNames.KNOWN)
        .containsEntry(
            "blixard.transport.strategy.served-on.values",
            Arrays.stream(Transport.values()).map(Transport::tag).toList());
  }

  @Test
  void shouldHintOnlyValidAlpnNames() {
    assertThat(metadata.blixardHints().get("blixard.transport.quic.alpn-protocols"))
        .contains(QuicAlpn.RPC)
        .allSatisfy(alpn -> assertThat(QuicAlpn.isValid(alpn)).as(alpn).isTrue())
        .hasSize(1 + ServiceNames.KNOWN.size());
  }

  @Test
  void shouldHintOnlySettingsThatExist() {
    metadata
        .blixardHints()
        .keySet()
        .forEach(
            hint ->
                assertThat(metadata.blixardProperties())
                    .as("property of hint %s", hint)
                    .containsKey(hint.replaceFirst("\\.(keys|values)$", "")));
  }

  private static Class<?> typeOf(JsonNode property) throws ClassNotFoundException {
    String type = property.path("type").asText();
    if (type.contains("<") || type.startsWith("java.")) {
      return null;
    }
    return Class.forName(type, false, ConfigurationMetadataTest.class.getClassLoader());
  }

  private static List<String> valuesOf(Class<?> enumType) {
    return Arrays.stream(enumType.getEnumConstants())
        .map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .toList();
  }
}
