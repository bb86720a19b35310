package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;

/** Calls a server's API the way the SDKs do (API key, cdi-version 5.4, JSON bodies). */
class ApiClient {
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String apiKey;

  ApiClient(URI base, String apiKey) {
    this.base = base;
    this.apiKey = apiKey;
  }

  URI uri(String path) {
    return base.resolve(path);
  }

  /** A request with the API key and cdi-version 5.4, as the SDKs send. */
  HttpRequest.Builder sdk(String path) {
    return HttpRequest.newBuilder(uri(path))
        .timeout(Duration.ofSeconds(10))
        .header("api-key", apiKey)
        .header("cdi-version", "5.4");
  }

  HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return send(sdk(pathAndQuery).GET().build());
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return send(
        sdk(path)
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .header("content-type", "application/json")
            .build());
  }

  HttpResponse<String> put(String path, String json) throws IOException, InterruptedException {
    return send(
        sdk(path)
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .header("content-type", "application/json")
            .build());
  }

  /** The JSON body of an HTTP 200 answer. */
  static JsonNode ok200(HttpResponse<String> r) throws IOException {
    assertThat(r.statusCode()).as("HTTP status; body: %s", r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  /** Creates a session for {@code userId} with anti-CSRF on; returns the whole answer. */
  JsonNode createSession(String userId, String jwtJson, String dataJson) throws Exception {
    JsonNode n =
        ok200(
            post(
                "/public/recipe/session",
                "{\"userId\":"
                    + quote(userId)
                    + ",\"userDataInJWT\":"
                    + jwtJson
                    + ",\"userDataInDatabase\":"
                    + dataJson
                    + ",\"enableAntiCsrf\":true,\"useDynamicSigningKey\":true}"));
    assertThat(n.path("status").asText()).isEqualTo("OK");
    return n;
  }

  JsonNode refresh(String refreshToken, String antiCsrfToken) throws Exception {
    return ok200(
        post(
            "/recipe/session/refresh",
            "{\"refreshToken\":"
                + quote(refreshToken)
                + ",\"antiCsrfToken\":"
                + quote(antiCsrfToken)
                + ",\"enableAntiCsrf\":true,\"useDynamicSigningKey\":true}"));
  }

  /** POST /recipe/session/verify as the SDK sends it (anti-CSRF checked when a token is given). */
  JsonNode verify(String accessToken, String antiCsrfToken, boolean checkDatabase)
      throws Exception {
    return ok200(
        post(
            "/recipe/session/verify",
            "{\"accessToken\":"
                + quote(accessToken)
                + (antiCsrfToken == null ? "" : ",\"antiCsrfToken\":" + quote(antiCsrfToken))
                + ",\"doAntiCsrfCheck\":true,\"enableAntiCsrf\":true,\"checkDatabase\":"
                + checkDatabase
                + "}"));
  }

  /** The claims of a JWT, unverified. */
  static JsonNode claims(String jwt) throws IOException {
    return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
  }

  static String quote(String s) {
    try {
      return Json.MAPPER.writeValueAsString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
