package dev.hallpass.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prepares and checks the standalone server's HTTP comparison ({@code hallpass-server} under {@code
 * wrk} with {@code benchmarks/server-verify.lua}).
 *
 * <p>{@code create BASE_URL DIR} creates a session of the benchmark user on the running server
 * ({@code POST /public/recipe/session}, as a SuperTokens SDK does) and writes two request bodies of
 * exactly the same length into DIR:
 *
 * <ul>
 *   <li>{@value #VERIFY_BODY}: what an SDK sends to {@code POST /recipe/session/verify} for that
 *       session's access token, without anti-CSRF and without the database check;
 *   <li>{@value #NOOP_BODY}: the control, the same token and flags for {@code POST
 *       /recipe/session/remove} with an empty {@code sessionHandles} list: the same request
 *       handling (body read, JSON parse, JSON answer) with no verification and no store access.
 * </ul>
 *
 * Then, like {@code check BASE_URL DIR} (which run.sh also calls after the measurement), it asks
 * each endpoint once and exits with status 1 unless every answer is the expected one: wrk counts
 * only HTTP statuses, and an {@code UNAUTHORISED} verification is HTTP 200. The token is a
 * benchmark credential of an in-memory session and is never printed.
 */
public final class StandaloneServerSetup {
  /** File name of the verification request's body. */
  static final String VERIFY_BODY = "verify-body.json";

  /** File name of the control request's body. */
  static final String NOOP_BODY = "noop-body.json";

  private final HttpClient client = HttpClient.newHttpClient();
  private final String base;

  StandaloneServerSetup(String baseUrl) {
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** Creates a session and writes both bodies into {@code dir}; returns the access token. */
  String create(Path dir) throws IOException, InterruptedException {
    Map<String, Object> create = new LinkedHashMap<>();
    create.put("userId", Fixtures.USER_ID);
    create.put("userDataInJWT", Fixtures.JWT_PAYLOAD);
    create.put("userDataInDatabase", Fixtures.SESSION_DATA);
    create.put("enableAntiCsrf", false);
    JsonNode created = post("/public/recipe/session", Fixtures.JSON.writeValueAsString(create));
    requireStatusOk("POST /public/recipe/session", created);
    String token = created.path("accessToken").path("token").asText("");
    if (token.isEmpty()) {
      throw new IllegalStateException("POST /public/recipe/session answered no accessToken.token");
    }
    String verify =
        "{\"accessToken\":"
            + quoted(token)
            + ",\"doAntiCsrfCheck\":false,\"enableAntiCsrf\":false,\"checkDatabase\":false}";
    // The same token and flags but checkDatabase, plus the empty handle list; JSON whitespace
    // after the list makes the two bodies equally long.
    String noopHead = "{\"sessionHandles\":[],";
    String noopTail =
        "\"accessToken\":" + quoted(token) + ",\"doAntiCsrfCheck\":false,\"enableAntiCsrf\":false}";
    int pad = verify.length() - noopHead.length() - noopTail.length();
    if (pad < 0) {
      throw new IllegalStateException("the control body is longer than the verify body");
    }
    String noop = noopHead + " ".repeat(pad) + noopTail;
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(VERIFY_BODY), verify, StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve(NOOP_BODY), noop, StandardCharsets.US_ASCII);
    return token;
  }

  /** Sends each measured request once; throws unless each gets the answer it must get. */
  void check(Path dir) throws IOException, InterruptedException {
    JsonNode verified = post("/recipe/session/verify", Files.readString(dir.resolve(VERIFY_BODY)));
    requireStatusOk("POST /recipe/session/verify", verified);
    if (!Fixtures.USER_ID.equals(verified.path("session").path("userId").asText())) {
      throw new IllegalStateException("POST /recipe/session/verify answered another session");
    }
    JsonNode removed = post("/recipe/session/remove", Files.readString(dir.resolve(NOOP_BODY)));
    requireStatusOk("POST /recipe/session/remove", removed);
    if (!removed.path("sessionHandlesRevoked").isArray()
        || removed.path("sessionHandlesRevoked").size() != 0) {
      throw new IllegalStateException("the control POST /recipe/session/remove revoked sessions");
    }
    HttpResponse<String> hello =
        client.send(
            request("/hello")
                .method("GET", HttpRequest.BodyPublishers.ofFile(dir.resolve(VERIFY_BODY)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (hello.statusCode() != 200 || !hello.body().equals("Hello")) {
      throw new IllegalStateException(
          "GET /hello carrying the body answered HTTP " + hello.statusCode());
    }
  }

  private JsonNode post(String path, String body) throws IOException, InterruptedException {
    HttpResponse<String> r =
        client.send(
            request(path)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.US_ASCII))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("POST " + path + " answered HTTP " + r.statusCode());
    }
    return Fixtures.JSON.readTree(r.body());
  }

  /** The headers a SuperTokens SDK sends (and the Lua script too). */
  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .header("cdi-version", "5.4");
  }

  private static void requireStatusOk(String call, JsonNode answer) {
    if (!"OK".equals(answer.path("status").asText())) {
      throw new IllegalStateException(
          call + " answered status " + answer.path("status").asText("(none)"));
    }
  }

  private static String quoted(String s) throws IOException {
    return Fixtures.JSON.writeValueAsString(s);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !(args[0].equals("create") || args[0].equals("check"))) {
      System.err.println("usage: StandaloneServerSetup create|check BASE_URL DIR");
      System.exit(2);
    }
    StandaloneServerSetup setup = new StandaloneServerSetup(args[1]);
    Path dir = Path.of(args[2]);
    try {
      if (args[0].equals("create")) {
        setup.create(dir);
      }
      setup.check(dir);
    } catch (IllegalStateException | IOException e) {
      System.err.println("standalone server " + args[0] + " failed: " + e.getMessage());
      System.exit(1);
    }
  }
}
