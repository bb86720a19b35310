package dev.hallpass.spring.boot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A minimal cookie-keeping HTTP client over real sockets, like a browser talking to one host: it
 * stores the cookies of Set-Cookie answers (a Max-Age=0 clears one) and sends them back. Paths are
 * ignored on purpose except for the refresh cookie, which it sends only to the refresh endpoint, as
 * a browser would.
 */
final class Browser {
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  final Map<String, String> cookies = new LinkedHashMap<>();
  final Map<String, String> headers = new LinkedHashMap<>();

  Browser(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path, String... extraHeaders) {
    return send("GET", path, null, extraHeaders);
  }

  HttpResponse<String> post(String path, String json, String... extraHeaders) {
    return send("POST", path, json, extraHeaders);
  }

  HttpResponse<String> send(String method, String path, String json, String... extraHeaders) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20));
    b.method(
        method,
        json == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    String cookie =
        cookies.entrySet().stream()
            .filter(e -> !e.getKey().equals("sRefreshToken") || path.endsWith("/session/refresh"))
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("; "));
    if (!cookie.isEmpty()) {
      b.header("Cookie", cookie);
    }
    headers.forEach(b::header);
    for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
      b.header(extraHeaders[i], extraHeaders[i + 1]);
    }
    try {
      HttpResponse<String> res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      for (String setCookie : res.headers().allValues("set-cookie")) {
        String pair = setCookie.split(";", 2)[0];
        int eq = pair.indexOf('=');
        String name = pair.substring(0, eq);
        String value = pair.substring(eq + 1);
        if (value.isEmpty() || setCookie.contains("Max-Age=0")) {
          cookies.remove(name);
        } else {
          cookies.put(name, value);
        }
      }
      return res;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
