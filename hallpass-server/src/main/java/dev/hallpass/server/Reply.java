package dev.hallpass.server;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One HTTP answer: status, content type, body and extra headers. */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {

  static final String TEXT = "text/plain; charset=utf-8";
  static final String JSON = "application/json; charset=utf-8";

  /** HTTP 200 with a JSON body. */
  static Reply json(Object value) {
    return new Reply(200, JSON, Json.write(value), Map.of());
  }

  /** A plain-text answer. */
  static Reply text(int status, String text) {
    return new Reply(status, TEXT, text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  /** The same answer with one more header. */
  Reply withHeader(String name, String value) {
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put(name, value);
    return new Reply(status, contentType, body, Map.copyOf(h));
  }
}
