package io.blixard.migration;

import com.fasterxml.jackson.databind.JsonNode;
import io.blixard.rpc.InputEcho;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.springframework.lang.Nullable;

/**
 * The JSON fields an Actuator write operation takes, each with its JSON type, checked strictly:
 * Actuator hands an operation every value as text and converts it to the parameter's type, so
 * {@code "yes"}, {@code "on"} and {@code 1} would all become {@code true}. Here a boolean is only
 * {@code true} or {@code false}, a number only a JSON number, a string only a JSON string, and a
 * field the operation does not take is refused. A refusal names the field, what it was given (a
 * short prefix of it) and what was expected.
 */
record JsonFields(Map<String, Field> fields) {

  /** A JSON type. */
  enum Type {
    BOOLEAN,
    WHOLE_NUMBER,
    STRING
  }

  /**
   * One field: its type, and what it expects as a reader would say it ("a boolean, true or false").
   */
  record Field(Type type, String expected) {}

  JsonFields {
    fields = Map.copyOf(fields);
  }

  /** Why {@code body} is refused, or null when every field has its type (null counts as absent). */
  @Nullable
  String refusal(JsonNode body) {
    if (!body.isObject()) {
      return "the body: " + describe(body) + " (expected: an object with " + names() + ")";
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      Field field = fields.get(entry.getKey());
      if (field == null) {
        return InputEcho.quoted(entry.getKey()) + ": not a field (expected one of " + names() + ")";
      }
      JsonNode value = entry.getValue();
      if (value.isNull()) {
        continue;
      }
      String wrong = wrong(field.type(), value);
      if (wrong != null) {
        return entry.getKey() + ": " + wrong + " (expected: " + field.expected() + ")";
      }
    }
    return null;
  }

  private String names() {
    return String.join(", ", fields.keySet().stream().sorted().toList());
  }

  /** What is wrong with {@code value} for {@code type}, or null when nothing is. */
  @Nullable
  private static String wrong(Type type, JsonNode value) {
    return switch (type) {
      case BOOLEAN -> value.isBoolean() ? null : describe(value);
      case STRING -> value.isTextual() ? null : describe(value);
      case WHOLE_NUMBER -> {
        if (!value.isNumber()) {
          yield describe(value);
        }
        if (!value.isIntegralNumber()) {
          yield InputEcho.shortened(value.asText()) + " is not a whole number";
        }
        yield value.canConvertToInt()
            ? null
            : InputEcho.shortened(value.asText()) + " is too large";
      }
    };
  }

  /** What a JSON value is, with a short prefix of it. */
  private static String describe(JsonNode value) {
    return switch (value.getNodeType()) {
      case STRING -> InputEcho.quoted(value.textValue()) + " is a string";
      case BOOLEAN -> value.asText() + " is a boolean";
      case NUMBER -> InputEcho.shortened(value.asText()) + " is a number";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> value.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }
}
