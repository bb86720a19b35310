package dev.hallpass;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON for payloads, session data and token parts: one configured Jackson mapper. */
final class Json {
  // ASCII-only output: stored JSON survives any database character set exactly.
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
          .build()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final TypeReference<LinkedHashMap<String, Object>> MAP = new TypeReference<>() {};

  /** Resolves MAP once: readValue(json, MAP) looks the type and its deserializer up every call. */
  private static final ObjectReader MAP_READER = MAPPER.readerFor(MAP);

  private Json() {}

  /** Serializes caller data; what Jackson cannot write is the caller's mistake. */
  static String write(Map<String, Object> map, String what) {
    try {
      return MAPPER.writeValueAsString(map == null ? Map.of() : map);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException(
          what + " is not JSON-serializable: " + getOriginalMessage(e), e);
    }
  }

  static String writeInternal(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw HallpassException.generalError("could not write JSON", e);
    }
  }

  /** Reads a JSON object that Hallpass stored; a broken one is a store fault. */
  static LinkedHashMap<String, Object> readStored(String json) {
    try {
      LinkedHashMap<String, Object> m = MAP_READER.readValue(json);
      if (m == null) {
        throw HallpassException.generalError("stored JSON is not an object", null);
      }
      return m;
    } catch (JsonProcessingException e) {
      throw HallpassException.generalError("stored JSON is corrupt", e);
    }
  }

  /** Reads a JSON object from untrusted bytes; null when it is not one. */
  static LinkedHashMap<String, Object> readUntrusted(byte[] json) {
    try {
      LinkedHashMap<String, Object> m = MAP_READER.readValue(json);
      return m;
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
  }

  private static String getOriginalMessage(Throwable e) {
    return e instanceof JsonProcessingException
        ? ((JsonProcessingException) e).getOriginalMessage()
        : String.valueOf(e.getMessage());
  }
}
