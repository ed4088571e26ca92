package io.blixard.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.google.common.base.CaseFormat;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MapEntry;
import com.google.protobuf.MessageOrBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The command line's JSON, one way for every command: Jackson, camelCase names, numbers as numbers
 * (64-bit counters too), enum values as short lower-case words ({@code up}, not {@code
 * HEALTH_STATUS_UP}), times and durations as ISO-8601 text, one pretty-printed document per
 * command. The node's answers (protobuf messages) follow the same rules as the command line's own
 * records; {@code google.protobuf.Timestamp} and {@code Duration} are written as instants and
 * durations. A map of text to text (a health check's readings) arrives as text: its snake_case keys
 * are written in camelCase, whole numbers as numbers and upper-case words ({@code LEADER}) in lower
 * case; other keys ({@code peer.abc}) and values stay as the node wrote them.
 */
final class Json {

  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .addModule(new SimpleModule("protobuf").addSerializer(new ProtobufSerializer()))
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?(0|[1-9][0-9]{0,17})");
  private static final Pattern SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)+");
  private static final Pattern UPPER_CASE_WORD = Pattern.compile("[A-Z]+");

  private Json() {}

  /** The value as one pretty-printed JSON document. */
  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A text read back as the given type. */
  static <T> T read(String text, Class<T> type) throws IOException {
    return MAPPER.readValue(text, type);
  }

  /**
   * Writes a protobuf message with its fields' JSON names, every field without presence (as {@code
   * JsonFormat}'s {@code alwaysPrintFieldsWithNoPresence}) and message fields that are set.
   */
  static final class ProtobufSerializer extends StdSerializer<MessageOrBuilder> {

    ProtobufSerializer() {
      super(MessageOrBuilder.class);
    }

    @Override
    public void serialize(MessageOrBuilder message, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      if (message instanceof com.google.protobuf.Timestamp t) {
        provider.defaultSerializeValue(Instant.ofEpochSecond(t.getSeconds(), t.getNanos()), gen);
        return;
      }
      if (message instanceof com.google.protobuf.Duration d) {
        provider.defaultSerializeValue(Duration.ofSeconds(d.getSeconds(), d.getNanos()), gen);
        return;
      }
      gen.writeStartObject();
      for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
        if (field.hasPresence() && !message.hasField(field)) {
          continue;
        }
        gen.writeFieldName(field.getJsonName());
        Object value = message.getField(field);
        if (field.isMapField()) {
          FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
          gen.writeStartObject();
          for (Object entry : (List<?>) value) {
            MapEntry<?, ?> e = (MapEntry<?, ?>) entry;
            if (e.getKey() instanceof String key && e.getValue() instanceof String text) {
              writeReading(key, text, gen);
            } else {
              gen.writeFieldName(String.valueOf(e.getKey()));
              writeValue(valueField, e.getValue(), gen, provider);
            }
          }
          gen.writeEndObject();
        } else if (field.isRepeated()) {
          gen.writeStartArray();
          for (Object element : (List<?>) value) {
            writeValue(field, element, gen, provider);
          }
          gen.writeEndArray();
        } else {
          writeValue(field, value, gen, provider);
        }
      }
      gen.writeEndObject();
    }

    /** One reading of a map of text to text, under the rules of the rest of the document. */
    private static void writeReading(String key, String text, JsonGenerator gen)
        throws IOException {
      gen.writeFieldName(
          SNAKE_CASE.matcher(key).matches()
              ? CaseFormat.LOWER_UNDERSCORE.to(CaseFormat.LOWER_CAMEL, key)
              : key);
      if (WHOLE_NUMBER.matcher(text).matches()) {
        gen.writeNumber(Long.parseLong(text));
      } else if (UPPER_CASE_WORD.matcher(text).matches()) {
        gen.writeString(text.toLowerCase(Locale.ROOT));
      } else {
        gen.writeString(text);
      }
    }

    private static void writeValue(
        FieldDescriptor field, Object value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      switch (field.getType()) {
        case UINT32, FIXED32 -> gen.writeNumber(Integer.toUnsignedLong((Integer) value));
        case UINT64, FIXED64 -> {
          long v = (Long) value;
          if (v >= 0) {
            gen.writeNumber(v);
          } else {
            gen.writeNumber(new BigInteger(Long.toUnsignedString(v)));
          }
        }
        case INT32, SINT32, SFIXED32 -> gen.writeNumber((Integer) value);
        case INT64, SINT64, SFIXED64 -> gen.writeNumber((Long) value);
        case DOUBLE -> gen.writeNumber((Double) value);
        case FLOAT -> gen.writeNumber((Float) value);
        case BOOL -> gen.writeBoolean((Boolean) value);
        case STRING -> gen.writeString((String) value);
        case BYTES -> gen.writeBinary(((ByteString) value).toByteArray());
        case ENUM -> gen.writeString(shortName((EnumValueDescriptor) value));
        case MESSAGE, GROUP -> provider.defaultSerializeValue(value, gen);
      }
    }

    /** {@code HEALTH_STATUS_UP} of enum {@code HealthStatus} is {@code up}. */
    static String shortName(EnumValueDescriptor value) {
      String prefix =
          CaseFormat.UPPER_CAMEL.to(CaseFormat.UPPER_UNDERSCORE, value.getType().getName()) + "_";
      String name = value.getName();
      String shortName =
          name.startsWith(prefix) && name.length() > prefix.length()
              ? name.substring(prefix.length())
              : name;
      return shortName.toLowerCase(Locale.ROOT);
    }
  }
}
