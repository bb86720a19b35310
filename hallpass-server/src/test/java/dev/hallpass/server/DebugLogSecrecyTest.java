package dev.hallpass.server;

import static dev.hallpass.server.ApiClient.ok200;
import static dev.hallpass.server.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A whole run of the command at {@code --log-level debug} (and trace) prints no token, refresh
 * token, anti-CSRF token, API key or session data: neither Jetty's, the pool's and the drivers'
 * loggers (capped whatever the level) nor the server's own.
 */
class DebugLogSecrecyTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static String random(String prefix) {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }

  @Test
  void debugLevelRun_withApiKey_logsNoTokenKeyOrSessionData() throws Exception {
    assertWholeRunLogsNoSecret("debug");
  }

  @Test
  void traceLevelRun_withApiKey_logsNoTokenKeyOrSessionData() throws Exception {
    assertWholeRunLogsNoSecret("trace");
  }

  private static void assertWholeRunLogsNoSecret(String level) throws Exception {
    String apiKey = random("apikey");
    String jwtData = random("jwtdata");
    String dbData = random("dbdata");
    String newDbData = random("newdbdata");
    String jwtClaim = random("jwtclaim");
    String badBody = random("badbody");
    // What must not appear, by what it is (for the failure message).
    Map<String, String> secrets = new LinkedHashMap<>();
    secrets.put("api key", apiKey);
    secrets.put("userDataInJWT", jwtData);
    secrets.put("userDataInDatabase", dbData);
    secrets.put("new userDataInDatabase", newDbData);
    secrets.put("a /recipe/jwt claim", jwtClaim);
    secrets.put("an invalid body", badBody);

    LaunchedMain.Ran ran;
    try (LaunchedMain server =
        LaunchedMain.start(
            "--port", "0", "--in-memory-store", "--api-keys", apiKey, "--log-level", level)) {
      URI base = server.awaitListening();
      ApiClient api = new ApiClient(base, apiKey);

      JsonNode created =
          api.createSession(
              "log-user", "{\"note\":" + quote(jwtData) + "}", "{\"note\":" + quote(dbData) + "}");
      String handle = created.path("session").path("handle").asText();
      String access = created.path("accessToken").path("token").asText();
      String refresh = created.path("refreshToken").path("token").asText();
      String csrf = created.path("antiCsrfToken").asText();
      secrets.put("access token", access);
      secrets.put("refresh token", refresh);
      secrets.put("anti-CSRF token", csrf);

      assertThat(api.verify(access, csrf, true).path("status").asText()).isEqualTo("OK");

      JsonNode refreshed = api.refresh(refresh, csrf);
      assertThat(refreshed.path("status").asText()).isEqualTo("OK");
      String access2 = refreshed.path("accessToken").path("token").asText();
      secrets.put("refreshed access token", access2);
      secrets.put("new refresh token", refreshed.path("refreshToken").path("token").asText());
      secrets.put("new anti-CSRF token", refreshed.path("antiCsrfToken").asText());
      JsonNode verified = api.verify(access2, refreshed.path("antiCsrfToken").asText(), false);
      assertThat(verified.path("status").asText()).isEqualTo("OK");
      if (verified.has("accessToken")) {
        secrets.put("re-issued access token", verified.path("accessToken").path("token").asText());
      }

      ok200(
          api.put(
              "/recipe/session/data",
              "{\"sessionHandle\":"
                  + quote(handle)
                  + ",\"userDataInDatabase\":{\"note\":"
                  + quote(newDbData)
                  + "}}"));
      assertThat(ok200(api.get("/recipe/session?sessionHandle=" + handle)).toString())
          .contains(newDbData);

      JsonNode jwt =
          ok200(
              api.post(
                  "/recipe/jwt",
                  "{\"payload\":{\"claim\":"
                      + quote(jwtClaim)
                      + "},\"validity\":60,\"algorithm\":\"RS256\",\"jwksDomain\":\"x\"}"));
      secrets.put("a /recipe/jwt JWT", jwt.path("jwt").asText());

      // Refused requests: a wrong key (401) and a malformed body that carries a secret (400).
      assertThat(new ApiClient(base, apiKey + "x").post("/recipe/session", "{}").statusCode())
          .isEqualTo(401);
      assertThat(api.post("/recipe/session", "{\"userId\":" + quote(badBody)).statusCode())
          .isEqualTo(400);
      assertThat(
              api.send(
                      api.sdk("/recipe/session/refresh")
                          .header("authorization", "Bearer " + apiKey)
                          .POST(HttpRequest.BodyPublishers.ofString("{"))
                          .build())
                  .statusCode())
          .isEqualTo(400);

      ran = server.stop();
    }

    String out = ran.output();
    assertThat(ran.exitCode()).as("output:%n%s", out).isZero();
    // The run did log at the asked level (so the check below is not vacuous).
    assertThat(out).contains("listening on").contains("DEBUG dev.hallpass.server.ApiHandler");
    // The libraries that would print headers and bodies stay quiet below info: this holds even for
    // tokens the output scrubbing cannot know (it knows the configured secrets only).
    assertThat(out)
        .doesNotContainPattern(
            "(DEBUG|TRACE) (org\\.eclipse\\.jetty|com\\.zaxxer|org\\.flywaydb|org\\.postgresql"
                + "|org\\.mariadb|org\\.h2)");
    for (Map.Entry<String, String> s : secrets.entrySet()) {
      assertThat(s.getValue()).as(s.getKey()).isNotBlank();
      for (String piece : pieces(s.getValue())) {
        assertThat(out)
            .as("%s (or a 16-character piece of it) in the %s-level output", s.getKey(), level)
            .doesNotContain(piece);
      }
    }
  }

  /** The value, and its 16-character pieces, so that a truncated echo is caught too. */
  private static List<String> pieces(String value) {
    List<String> pieces = new ArrayList<>(List.of(value));
    for (int i = 0; i + 16 <= value.length(); i += 8) {
      pieces.add(value.substring(i, i + 16));
    }
    return pieces;
  }
}
