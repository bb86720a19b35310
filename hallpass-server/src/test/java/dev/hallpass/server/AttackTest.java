package dev.hallpass.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The attack suite of the standalone server, over its HTTP API: forged, foreign, re-signed and
 * minted tokens must be UNAUTHORISED; oversized headers and bodies a 4xx; session creation never
 * reuses a handle or a token; the API key is required and compared whole.
 */
class AttackTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private TestServer t;
  private TestServer other;

  @BeforeEach
  void start() throws Exception {
    t = new TestServer();
  }

  @AfterEach
  void stop() {
    t.close();
    if (other != null) {
      other.close();
    }
  }

  private JsonNode login() throws Exception {
    return t.createSession("alice", "{\"role\":\"reader\"}", "{\"cart\":1}");
  }

  private static String token(JsonNode session) {
    return session.at("/accessToken/token").asText();
  }

  /** POST /recipe/session/verify (no anti-CSRF check): the status the SDK acts on. */
  private String verifyStatus(String accessToken) throws Exception {
    HttpResponse<String> r =
        t.post(
            "/recipe/session/verify",
            "{\"accessToken\":"
                + ApiClient.quote(accessToken)
                + ",\"doAntiCsrfCheck\":false,\"enableAntiCsrf\":false,\"checkDatabase\":true}");
    return ApiClient.ok200(r).path("status").asText();
  }

  private void assertUnauthorised(String accessToken) throws Exception {
    assertThat(verifyStatus(accessToken)).isEqualTo("UNAUTHORISED");
  }

  private static ObjectNode part(String jwt, int i) throws Exception {
    return (ObjectNode) Json.MAPPER.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[i]));
  }

  private static String b64(JsonNode n) throws Exception {
    return B64.encodeToString(Json.MAPPER.writeValueAsBytes(n));
  }

  private static String hs256(String input, byte[] key) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void algNone_isUnauthorised() throws Exception {
    String jwt = token(login());
    ObjectNode header = part(jwt, 0);
    header.put("alg", "none");
    String[] p = jwt.split("\\.");
    assertUnauthorised(b64(header) + "." + p[1] + ".");
    assertUnauthorised(b64(header) + "." + p[1] + "." + p[2]);
    assertThat(verifyStatus(jwt)).isEqualTo("OK");
  }

  @Test
  void hs256_keyedWithTheJwksOrItsModulus_isUnauthorised() throws Exception {
    String jwt = token(login());
    HttpResponse<String> jwks =
        t.send(HttpRequest.newBuilder(t.uri("/.well-known/jwks.json")).build());
    JsonNode key = Json.MAPPER.readTree(jwks.body()).path("keys").get(0);
    ObjectNode header = part(jwt, 0);
    header.put("alg", "HS256");
    String input = b64(header) + "." + jwt.split("\\.")[1];
    String n = key.path("n").asText();
    for (byte[] secret :
        List.of(
            n.getBytes(StandardCharsets.US_ASCII),
            Base64.getUrlDecoder().decode(n),
            jwks.body().getBytes(StandardCharsets.UTF_8),
            key.toString().getBytes(StandardCharsets.UTF_8))) {
      assertUnauthorised(hs256(input, secret));
    }
  }

  @Test
  void kidInjection_isUnauthorised() throws Exception {
    String jwt = token(login());
    String[] p = jwt.split("\\.");
    for (String kid :
        List.of(
            "../../../../etc/passwd",
            "' OR '1'='1",
            "x'; DELETE FROM hallpass_signing_keys; --",
            "d-unknown",
            "")) {
      ObjectNode header = part(jwt, 0);
      header.put("kid", kid);
      assertUnauthorised(b64(header) + "." + p[1] + "." + p[2]);
    }
    assertThat(verifyStatus(jwt)).isEqualTo("OK");
  }

  @Test
  void tokensOfAnotherServer_areUnauthorised() throws Exception {
    other = new TestServer();
    JsonNode foreign = other.createSession("alice", "{\"role\":\"admin\"}", "{}");
    assertUnauthorised(token(foreign));
    JsonNode refresh =
        ApiClient.ok200(
            t.post(
                "/recipe/session/refresh",
                "{\"refreshToken\":"
                    + ApiClient.quote(foreign.at("/refreshToken/token").asText())
                    + ",\"enableAntiCsrf\":false}"));
    assertThat(refresh.path("status").asText()).isEqualTo("UNAUTHORISED");
  }

  @Test
  void payloadChanged_signatureKept_andSignatureOfAnotherToken_areUnauthorised() throws Exception {
    String alice = token(login());
    String bob = token(t.createSession("bob", "{}", "{}"));
    String[] a = alice.split("\\.");
    String[] b = bob.split("\\.");
    ObjectNode claims = part(alice, 1);
    claims.put("sub", "admin");
    assertUnauthorised(a[0] + "." + b64(claims) + "." + a[2]);
    claims = part(alice, 1);
    claims.put("role", "admin");
    assertUnauthorised(a[0] + "." + b64(claims) + "." + a[2]);
    assertUnauthorised(a[0] + "." + a[1] + "." + b[2]);
    assertUnauthorised(a[0] + "." + b[1] + "." + a[2]);
  }

  @Test
  void recipeJwt_carryingSessionClaims_is400_andWithoutThemIsNoSession() throws Exception {
    JsonNode victim = login();
    ObjectNode claims = part(token(victim), 1);
    HttpResponse<String> minted =
        t.post(
            "/recipe/jwt",
            "{\"payload\":"
                + claims
                + ",\"validity\":3600,\"algorithm\":\"RS256\",\"jwksDomain\":\"http://x\"}");
    assertThat(minted.statusCode()).isEqualTo(400);
    assertThat(minted.body()).contains("sessionHandle");
    for (String claim : List.of("sessionHandle", "refreshTokenHash1", "antiCsrfToken")) {
      claims.remove(claim);
    }
    JsonNode ok =
        ApiClient.ok200(
            t.post(
                "/recipe/jwt",
                "{\"payload\":" + claims + ",\"validity\":3600,\"algorithm\":\"RS256\"}"));
    assertUnauthorised(ok.path("jwt").asText());
  }

  @Test
  void oversizedTokenHeaderAndBody_areRefusedWith4xx() throws Exception {
    String jwt = token(login());
    // a token over the verified limit (8,192): UNAUTHORISED before parsing
    assertUnauthorised(jwt + "A".repeat(9_000));
    // a body over 1 MiB: 400 before parsing
    HttpResponse<String> big =
        t.post(
            "/recipe/session/verify",
            "{\"accessToken\":\"" + "A".repeat(Call.MAX_BODY_BYTES + 10) + "\"}");
    assertThat(big.statusCode()).isEqualTo(400);
    assertThat(big.body()).doesNotContain("AAAA");
    // a 64 KiB header: refused by the HTTP layer with a 4xx (431), never a 500
    HttpResponse<String> header =
        t.send(
            t.sdk("/recipe/session/user?userId=alice")
                .header("x-padding", "p".repeat(64 * 1024))
                .GET()
                .build());
    assertThat(header.statusCode()).isBetween(400, 499);
    // a payload over its limit: 400 naming the limit, not the value
    HttpResponse<String> payload =
        t.post(
            "/recipe/session",
            "{\"userId\":\"a\",\"userDataInJWT\":{\"p\":\""
                + "secret-value".repeat(300)
                + "\"},\"userDataInDatabase\":{},\"enableAntiCsrf\":false}");
    assertThat(payload.statusCode()).isEqualTo(400);
    assertThat(payload.body()).contains("2048").doesNotContain("secret-value");
  }

  @Test
  void sessionFixation_aClientCannotChooseAHandle_andNoneOrNoTokenIsEverReused() throws Exception {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      JsonNode s =
          ApiClient.ok200(
              t.post(
                  "/recipe/session",
                  "{\"userId\":\"alice\",\"userDataInJWT\":{},\"userDataInDatabase\":{},"
                      + "\"enableAntiCsrf\":true,\"sessionHandle\":\"chosen-handle\","
                      + "\"handle\":\"chosen-handle\"}"));
      String handle = s.at("/session/handle").asText();
      assertThat(handle).isNotEqualTo("chosen-handle");
      assertThat(seen.add(handle)).as("handle reused").isTrue();
      assertThat(seen.add(s.at("/accessToken/token").asText())).isTrue();
      assertThat(seen.add(s.at("/refreshToken/token").asText())).isTrue();
      assertThat(seen.add(s.path("antiCsrfToken").asText())).isTrue();
    }
  }

  @Test
  void apiKey_isRequired_andAPrefixOrExtensionOfItIsRefused() throws Exception {
    String key = TestServer.API_KEY;
    for (String wrong :
        // (surrounding spaces are not part of an HTTP field value: " " + key is the key)
        List.of("", key.substring(0, key.length() - 1), key + "x", key.toUpperCase(), "x" + key)) {
      HttpResponse<String> r =
          t.send(
              HttpRequest.newBuilder(t.uri("/recipe/session/user?userId=alice"))
                  .header("api-key", wrong.isEmpty() ? "none" : wrong)
                  .GET()
                  .build());
      assertThat(r.statusCode()).as("api-key %s", wrong).isEqualTo(401);
    }
    HttpResponse<String> none =
        t.send(HttpRequest.newBuilder(t.uri("/recipe/session/user?userId=alice")).GET().build());
    assertThat(none.statusCode()).isEqualTo(401);
  }

  @Test
  void sqlMetacharactersInQueryValues_findOnlyTheirOwnSessions() throws Exception {
    JsonNode alice = login();
    for (String userId : List.of("' OR '1'='1", "%", "_lice", "alice' --")) {
      JsonNode r =
          ApiClient.ok200(
              t.get(
                  "/recipe/session/user?userId="
                      + java.net.URLEncoder.encode(userId, StandardCharsets.UTF_8)));
      assertThat(r.path("sessionHandles")).isEmpty();
    }
    JsonNode info =
        ApiClient.ok200(
            t.get(
                "/recipe/session?sessionHandle="
                    + java.net.URLEncoder.encode("' OR '1'='1", StandardCharsets.UTF_8)));
    assertThat(info.path("status").asText()).isEqualTo("UNAUTHORISED");
    assertThat(verifyStatus(token(alice))).isEqualTo("OK");
  }
}
