package dev.hallpass.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON in and out of the HTTP API: one strict mapper (duplicate keys and trailing data are errors),
 * and typed field access whose failures are {@link BadRequest}s naming the field.
 */
final class Json {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  private final ObjectNode node;

  private Json(ObjectNode node) {
    this.node = node;
  }

  /** Parses a request body that must be one JSON object. */
  static Json parseObject(byte[] body) {
    JsonNode n;
    try {
      n = MAPPER.readTree(body);
    } catch (IOException e) {
      // Only the position: Jackson's own message may quote the input, which may hold a token.
      com.fasterxml.jackson.core.JsonLocation at =
          e instanceof JsonProcessingException ? ((JsonProcessingException) e).getLocation() : null;
      throw new BadRequest(
          "Invalid JSON input"
              + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
    }
    if (n == null || !n.isObject()) {
      throw new BadRequest("Invalid JSON input: the body must be a JSON object");
    }
    return new Json((ObjectNode) n);
  }

  static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write a JSON answer", e);
    }
  }

  /**
   * The claims of a JWT this server's engine issued or already verified (no signature check here:
   * callers pass only such tokens).
   */
  static Map<String, Object> claimsOf(String jwt) {
    int a = jwt.indexOf('.');
    int b = jwt.indexOf('.', a + 1);
    try {
      return MAPPER.readValue(Base64.getUrlDecoder().decode(jwt.substring(a + 1, b)), MAP);
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("an issued access token is not a JWT", e);
    }
  }

  String requiredString(String field) {
    String s = optionalString(field);
    if (s == null) {
      throw new BadRequest(
          "Field name '" + field + "' is invalid in JSON input: a string is " + "required");
    }
    return s;
  }

  String optionalString(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadRequest(
          "Field name '" + field + "' is invalid in JSON input: it must be a " + "string");
    }
    return v.textValue();
  }

  boolean requiredBoolean(String field) {
    JsonNode v = node.get(field);
    if (v == null || !v.isBoolean()) {
      throw new BadRequest(
          "Field name '" + field + "' is invalid in JSON input: a boolean is " + "required");
    }
    return v.booleanValue();
  }

  boolean optionalBoolean(String field, boolean absent) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isBoolean()) {
      throw new BadRequest(
          "Field name '" + field + "' is invalid in JSON input: it must be a " + "boolean");
    }
    return v.booleanValue();
  }

  /** A whole number in {@code [min, max]}. */
  long requiredLong(String field, long min, long max) {
    JsonNode v = node.get(field);
    if (v == null
        || !v.isIntegralNumber()
        || !v.canConvertToLong()
        || v.longValue() < min
        || v.longValue() > max) {
      throw new BadRequest(
          "Field name '"
              + field
              + "' is invalid in JSON input: a whole number "
              + "between "
              + min
              + " and "
              + max
              + " is required");
    }
    return v.longValue();
  }

  Map<String, Object> requiredObject(String field) {
    Map<String, Object> m = optionalObject(field);
    if (m == null) {
      throw new BadRequest(
          "Field name '" + field + "' is invalid in JSON input: an object is " + "required");
    }
    return m;
  }

  Map<String, Object> optionalObject(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new BadRequest(
          "Field name '" + field + "' is invalid in JSON input: it must be an " + "object");
    }
    return MAPPER.convertValue(v, MAP);
  }

  /** An array of strings, or null when the field is absent. */
  List<String> optionalStringArray(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw new BadRequest(
          "Field name '"
              + field
              + "' is invalid in JSON input: it must be an "
              + "array of strings");
    }
    List<String> out = new ArrayList<>(v.size());
    for (JsonNode e : v) {
      if (!e.isTextual() || e.textValue().isEmpty()) {
        throw new BadRequest(
            "Field name '"
                + field
                + "' is invalid in JSON input: every element "
                + "must be a non-empty string");
      }
      out.add(e.textValue());
    }
    return out;
  }

  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }
}
