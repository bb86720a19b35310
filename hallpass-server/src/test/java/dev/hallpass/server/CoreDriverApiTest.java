package dev.hallpass.server;

import static dev.hallpass.server.ApiClient.claims;
import static dev.hallpass.server.ApiClient.ok200;
import static dev.hallpass.server.ApiClient.quote;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hallpass.spi.SessionRecord;
import dev.hallpass.spi.SessionStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The endpoints' results, as the SDKs read them. */
class CoreDriverApiTest {
  private TestServer t;

  @BeforeEach
  void start() throws Exception {
    t = new TestServer("--access-token-validity", "1h", "--refresh-grace-period", "10s");
  }

  @AfterEach
  void stop() {
    t.close();
  }

  private static JsonNode header(String jwt) throws Exception {
    return Json.MAPPER.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]));
  }

  private JsonNode verify(String accessToken, String antiCsrf, boolean checkDatabase)
      throws Exception {
    return t.verify(accessToken, antiCsrf, checkDatabase);
  }

  @Test
  void createSession_answersTheShapeTheSdkReads_andTheTokenHasTheV5Claims() throws Exception {
    JsonNode n =
        t.createSession("alice", "{\"role\":\"admin\",\"iss\":\"http://api\"}", "{\"cart\":1}");
    JsonNode s = n.get("session");
    assertThat(s.get("userId").asText()).isEqualTo("alice");
    assertThat(s.get("recipeUserId").asText()).isEqualTo("alice");
    assertThat(s.get("tenantId").asText()).isEqualTo("public");
    assertThat(s.get("userDataInJWT"))
        .isEqualTo(Json.MAPPER.readTree("{\"role\":\"admin\",\"iss\":\"http://api\"}"));
    long now = TestServer.START.toEpochMilli();
    assertThat(n.get("accessToken").get("createdTime").asLong()).isEqualTo(now);
    assertThat(n.get("accessToken").get("expiry").asLong()).isEqualTo(now + 3_600_000);
    assertThat(n.get("refreshToken").get("expiry").asLong())
        .isEqualTo(now + Duration.ofDays(100).toMillis());
    assertThat(n.get("refreshToken").get("token").asText()).isNotBlank();
    assertThat(n.get("antiCsrfToken").asText()).isNotBlank();

    String at = n.get("accessToken").get("token").asText();
    JsonNode h = header(at);
    assertThat(h.get("version").asText()).isEqualTo("5");
    assertThat(h.get("alg").asText()).isEqualTo("RS256");
    assertThat(h.get("kid").asText()).startsWith("d-");
    JsonNode c = claims(at);
    assertThat(c.get("sub").asText()).isEqualTo("alice");
    assertThat(c.get("rsub").asText()).isEqualTo("alice");
    assertThat(c.get("tId").asText()).isEqualTo("public");
    assertThat(c.get("sessionHandle").asText()).isEqualTo(s.get("handle").asText());
    assertThat(c.get("exp").isNumber()).isTrue();
    assertThat(c.get("iat").isNumber()).isTrue();
    assertThat(c.get("refreshTokenHash1").asText()).hasSize(64);
    assertThat(c.get("antiCsrfToken").asText()).isEqualTo(n.get("antiCsrfToken").asText());
    assertThat(c.get("role").asText()).isEqualTo("admin");
  }

  @Test
  void createSession_withAntiCsrfDisabled_omitsTheToken() throws Exception {
    JsonNode n =
        ok200(
            t.post(
                "/public/recipe/session",
                "{\"userId\":\"u\",\"userDataInJWT\":{},"
                    + "\"userDataInDatabase\":{},\"enableAntiCsrf\":false}"));
    assertThat(n.has("antiCsrfToken")).isFalse();
  }

  @Test
  void verify_checksAntiCsrf_expiry_andTheDatabase() throws Exception {
    JsonNode n = t.createSession("bob", "{}", "{}");
    String at = n.get("accessToken").get("token").asText();
    String csrf = n.get("antiCsrfToken").asText();
    String handle = n.get("session").get("handle").asText();

    JsonNode ok = verify(at, csrf, true);
    assertThat(ok.get("status").asText()).isEqualTo("OK");
    assertThat(ok.get("session").get("handle").asText()).isEqualTo(handle);
    assertThat(ok.has("accessToken")).isFalse();

    assertThat(verify(at, "wrong", false).get("status").asText()).isEqualTo("TRY_REFRESH_TOKEN");
    assertThat(verify(at, null, false).get("status").asText()).isEqualTo("TRY_REFRESH_TOKEN");
    assertThat(verify("not.a.jwt", csrf, false).get("status").asText()).isEqualTo("UNAUTHORISED");

    ok200(t.post("/recipe/session/remove", "{\"sessionHandles\":[" + quote(handle) + "]}"));
    // Without a database check a revoked session's token stays valid until it expires.
    assertThat(verify(at, csrf, false).get("status").asText()).isEqualTo("OK");
    JsonNode gone = verify(at, csrf, true);
    assertThat(gone.get("status").asText()).isEqualTo("UNAUTHORISED");
    assertThat(gone.get("message").asText()).isNotBlank();

    t.clock.advance(Duration.ofHours(1));
    assertThat(verify(at, csrf, false).get("status").asText()).isEqualTo("TRY_REFRESH_TOKEN");
  }

  @Test
  void refresh_rotates_andAReplayedOlderTokenIsTheft() throws Exception {
    JsonNode n0 = t.createSession("carol", "{\"a\":1}", "{}");
    String rt0 = n0.get("refreshToken").get("token").asText();
    String csrf0 = n0.get("antiCsrfToken").asText();
    String handle = n0.get("session").get("handle").asText();

    t.clock.advance(Duration.ofMinutes(5));
    JsonNode n1 = t.refresh(rt0, csrf0);
    assertThat(n1.get("status").asText()).isEqualTo("OK");
    assertThat(n1.get("session").get("handle").asText()).isEqualTo(handle);
    assertThat(n1.get("session").get("userDataInJWT").get("a").asInt()).isEqualTo(1);
    assertThat(n1.get("accessToken").get("createdTime").asLong())
        .isEqualTo(TestServer.START.plus(Duration.ofMinutes(5)).toEpochMilli());
    String rt1 = n1.get("refreshToken").get("token").asText();
    assertThat(rt1).isNotEqualTo(rt0);
    // The client uses its new tokens, so rt1 counts as received.
    assertThat(
            verify(
                    n1.get("accessToken").get("token").asText(),
                    n1.get("antiCsrfToken").asText(),
                    false)
                .get("status")
                .asText())
        .isEqualTo("OK");

    t.clock.advance(Duration.ofMinutes(1)); // past the grace period: rt0 is now stale
    JsonNode theft = t.refresh(rt0, csrf0);
    assertThat(theft.get("status").asText()).isEqualTo("TOKEN_THEFT_DETECTED");
    assertThat(theft.get("session").get("handle").asText()).isEqualTo(handle);
    assertThat(theft.get("session").get("userId").asText()).isEqualTo("carol");
    assertThat(theft.get("session").get("recipeUserId").asText()).isEqualTo("carol");
    // The session is revoked: its newest refresh token no longer works either.
    assertThat(t.refresh(rt1, n1.get("antiCsrfToken").asText()).get("status").asText())
        .isEqualTo("UNAUTHORISED");
    assertThat(t.get("/metrics").body())
        .contains("hallpass_token_thefts_detected_total 1.0")
        .contains("hallpass_session_refreshes_total 1.0");
  }

  @Test
  void refresh_withUnknownOrUndecodableToken_isUnauthorisedWith200() throws Exception {
    for (String token :
        new String[] {
          "",
          "garbage",
          "AAAA",
          "x".repeat(5000),
          "AYPMP2bGSEVHr9GS6MFIfQvabiHa8C8iwsgqGJdPHlHaqQUe8w9fdXQufLXigCdRRuEy5QPmjTPj4SUF40_9_e4"
        }) {
      JsonNode r = t.refresh(token, null);
      assertThat(r.get("status").asText()).as(token).isEqualTo("UNAUTHORISED");
    }
  }

  @Test
  void refresh_withWrongAntiCsrf_isUnauthorised_andTheSessionSurvives() throws Exception {
    JsonNode n = t.createSession("dave", "{}", "{}");
    String rt = n.get("refreshToken").get("token").asText();
    assertThat(t.refresh(rt, "wrong").get("status").asText()).isEqualTo("UNAUTHORISED");
    assertThat(t.refresh(rt, n.get("antiCsrfToken").asText()).get("status").asText())
        .isEqualTo("OK");
  }

  @Test
  void sessionInformation_andData_roundTrip() throws Exception {
    JsonNode n = t.createSession("erin", "{\"k\":\"v\"}", "{\"cart\":[1,2]}");
    String handle = n.get("session").get("handle").asText();
    JsonNode info = ok200(t.get("/recipe/session?sessionHandle=" + handle));
    assertThat(info.get("status").asText()).isEqualTo("OK");
    assertThat(info.get("sessionHandle").asText()).isEqualTo(handle);
    assertThat(info.get("userId").asText()).isEqualTo("erin");
    assertThat(info.get("recipeUserId").asText()).isEqualTo("erin");
    assertThat(info.get("tenantId").asText()).isEqualTo("public");
    assertThat(info.get("userDataInDatabase").toString()).isEqualTo("{\"cart\":[1,2]}");
    assertThat(info.get("userDataInJWT").toString()).isEqualTo("{\"k\":\"v\"}");
    assertThat(info.get("timeCreated").asLong()).isEqualTo(TestServer.START.toEpochMilli());
    assertThat(info.get("expiry").asLong()).isGreaterThan(info.get("timeCreated").asLong());

    assertThat(
            ok200(
                    t.put(
                        "/recipe/session/data",
                        "{\"sessionHandle\":"
                            + quote(handle)
                            + ",\"userDataInDatabase\":{\"cart\":[]}}"))
                .get("status")
                .asText())
        .isEqualTo("OK");
    assertThat(
            ok200(
                    t.put(
                        "/recipe/jwt/data",
                        "{\"sessionHandle\":"
                            + quote(handle)
                            + ",\"userDataInJWT\":{\"k\":\"w\"}}"))
                .get("status")
                .asText())
        .isEqualTo("OK");
    info = ok200(t.get("/recipe/session?sessionHandle=" + handle));
    assertThat(info.get("userDataInDatabase").toString()).isEqualTo("{\"cart\":[]}");
    assertThat(info.get("userDataInJWT").toString()).isEqualTo("{\"k\":\"w\"}");
  }

  @Test
  void unknownHandle_isUnauthorised_forReadsAndUpdates() throws Exception {
    String h = "00000000-0000-4000-8000-000000000000";
    assertThat(ok200(t.get("/recipe/session?sessionHandle=" + h)).get("status").asText())
        .isEqualTo("UNAUTHORISED");
    assertThat(
            ok200(
                    t.put(
                        "/recipe/session/data",
                        "{\"sessionHandle\":\"" + h + "\",\"userDataInDatabase\":{}}"))
                .get("status")
                .asText())
        .isEqualTo("UNAUTHORISED");
    assertThat(
            ok200(
                    t.put(
                        "/recipe/jwt/data",
                        "{\"sessionHandle\":\"" + h + "\",\"userDataInJWT\":{}}"))
                .get("status")
                .asText())
        .isEqualTo("UNAUTHORISED");
  }

  @Test
  void reservedClaims_are400_andTheStoredPayloadIsUnchanged() throws Exception {
    JsonNode n = t.createSession("frank", "{\"k\":1}", "{}");
    String handle = n.get("session").get("handle").asText();
    var r =
        t.put(
            "/recipe/jwt/data",
            "{\"sessionHandle\":"
                + quote(handle)
                + ",\"userDataInJWT\":{\"sessionHandle\":\"evil\"}}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("reserved claim name 'sessionHandle'");
    JsonNode info = ok200(t.get("/recipe/session?sessionHandle=" + handle));
    assertThat(info.get("userDataInJWT").toString()).isEqualTo("{\"k\":1}");
  }

  @Test
  void regenerate_resignsWithTheNewPayload_sameExpiry() throws Exception {
    JsonNode n = t.createSession("gina", "{\"a\":1}", "{}");
    String at = n.get("accessToken").get("token").asText();
    long expiry = n.get("accessToken").get("expiry").asLong();
    t.clock.advance(Duration.ofMinutes(10));
    JsonNode r =
        ok200(
            t.post(
                "/recipe/session/regenerate",
                "{\"accessToken\":" + quote(at) + ",\"userDataInJWT\":{\"a\":2}}"));
    assertThat(r.get("status").asText()).isEqualTo("OK");
    assertThat(r.get("session").get("userDataInJWT").toString()).isEqualTo("{\"a\":2}");
    String newAt = r.get("accessToken").get("token").asText();
    assertThat(r.get("accessToken").get("expiry").asLong()).isEqualTo(expiry);
    assertThat(r.get("accessToken").get("createdTime").asLong())
        .isEqualTo(TestServer.START.plus(Duration.ofMinutes(10)).toEpochMilli());
    assertThat(claims(newAt).get("a").asInt()).isEqualTo(2);
    assertThat(verify(newAt, n.get("antiCsrfToken").asText(), true).get("status").asText())
        .isEqualTo("OK");
  }

  @Test
  void regenerate_ofAnExpiredToken_storesThePayload_withoutANewToken() throws Exception {
    JsonNode n = t.createSession("hank", "{\"a\":1}", "{}");
    String at = n.get("accessToken").get("token").asText();
    String handle = n.get("session").get("handle").asText();
    t.clock.advance(Duration.ofHours(2));
    JsonNode r =
        ok200(
            t.post(
                "/recipe/session/regenerate",
                "{\"accessToken\":" + quote(at) + ",\"userDataInJWT\":{\"a\":3}}"));
    assertThat(r.get("status").asText()).isEqualTo("OK");
    assertThat(r.has("accessToken")).isFalse();
    assertThat(r.get("session").get("handle").asText()).isEqualTo(handle);
    assertThat(r.get("session").get("userId").asText()).isEqualTo("hank");
    JsonNode info = ok200(t.get("/recipe/session?sessionHandle=" + handle));
    assertThat(info.get("userDataInJWT").toString()).isEqualTo("{\"a\":3}");
  }

  @Test
  void regenerate_withAForgedToken_isUnauthorised() throws Exception {
    JsonNode n = t.createSession("ivy", "{}", "{}");
    String at = n.get("accessToken").get("token").asText();
    String forged =
        at.substring(0, at.lastIndexOf('.') + 1) + "AAAA" + at.substring(at.lastIndexOf('.') + 5);
    assertThat(
            ok200(
                    t.post(
                        "/recipe/session/regenerate",
                        "{\"accessToken\":" + quote(forged) + ",\"userDataInJWT\":{}}"))
                .get("status")
                .asText())
        .isEqualTo("UNAUTHORISED");
  }

  @Test
  void listAndRemove_byHandlesAndByUser() throws Exception {
    String h1 = t.createSession("jo", "{}", "{}").get("session").get("handle").asText();
    String h2 = t.createSession("jo", "{}", "{}").get("session").get("handle").asText();
    JsonNode list =
        ok200(
            t.get(
                "/public/recipe/session/user?userId=jo"
                    + "&fetchSessionsForAllLinkedAccounts=true&fetchAcrossAllTenants=false"));
    assertThat(list.get("sessionHandles").toString()).contains(h1, h2);
    JsonNode removed =
        ok200(
            t.post("/recipe/session/remove", "{\"sessionHandles\":[" + quote(h1) + ",\"nope\"]}"));
    assertThat(removed.get("sessionHandlesRevoked").toString()).isEqualTo("[" + quote(h1) + "]");
    removed =
        ok200(
            t.post(
                "/public/recipe/session/remove",
                "{\"userId\":\"jo\","
                    + "\"revokeSessionsForLinkedAccounts\":true,\"revokeAcrossAllTenants\":false}"));
    assertThat(removed.get("sessionHandlesRevoked").toString()).isEqualTo("[" + quote(h2) + "]");
    assertThat(ok200(t.get("/recipe/session/user?userId=jo")).get("sessionHandles").size())
        .isZero();
  }

  @Test
  void createJwt_signsWithAKeyFromTheJwks() throws Exception {
    JsonNode r =
        ok200(
            t.post(
                "/recipe/jwt",
                "{\"payload\":{\"x\":1},\"validity\":120,"
                    + "\"algorithm\":\"RS256\",\"jwksDomain\":\"http://api\",\"useStaticSigningKey\":true}"));
    assertThat(r.get("status").asText()).isEqualTo("OK");
    String jwt = r.get("jwt").asText();
    JsonNode c = claims(jwt);
    assertThat(c.get("x").asInt()).isEqualTo(1);
    assertThat(c.get("exp").asLong() - c.get("iat").asLong()).isEqualTo(120);
    String jwks = t.get("/.well-known/jwks.json").body();
    assertThat(jwks).contains(header(jwt).get("kid").asText());
    assertThat(
            ok200(
                    t.post(
                        "/recipe/jwt",
                        "{\"payload\":{},\"validity\":1," + "\"algorithm\":\"HS256\"}"))
                .get("status")
                .asText())
        .isEqualTo("UNSUPPORTED_ALGORITHM_ERROR");
  }

  @Test
  void userById_isAlwaysUnknown_andUsersCountIsZero() throws Exception {
    assertThat(ok200(t.get("/user/id?userId=alice")).get("status").asText())
        .isEqualTo("UNKNOWN_USER_ID_ERROR");
    JsonNode count = ok200(t.get("/users/count"));
    assertThat(count.get("count").asInt()).isZero();
    JsonNode tenants = ok200(t.get("/recipe/multitenancy/tenant/list/v2"));
    assertThat(tenants.get("tenants").get(0).get("tenantId").asText()).isEqualTo("public");
  }

  @Test
  void metrics_countCreatedAndVerified() throws Exception {
    JsonNode n = t.createSession("kim", "{}", "{}");
    verify(n.get("accessToken").get("token").asText(), n.get("antiCsrfToken").asText(), false);
    String m = t.get("/metrics").body();
    assertThat(m)
        .contains("hallpass_session_creations_total 1.0")
        .contains("hallpass_session_verifications_total 1.0");
  }

  @Test
  void metrics_countRevocationsByReason_andTimeStoreCalls() throws Exception {
    String handle = t.createSession("lou", "{}", "{}").get("session").get("handle").asText();
    t.post("/recipe/session/remove", "{\"sessionHandles\":[" + quote(handle) + "]}");

    String m = t.get("/metrics").body();

    assertThat(m)
        .contains("hallpass_session_revocations_total{reason=\"revoked_by_app\"} 1.0")
        .contains("hallpass_session_revocations_total{reason=\"theft_detected\"} 0.0")
        .contains("hallpass_session_verification_failures_total{reason=\"invalid\"} 0.0")
        .containsPattern(
            "hallpass_store_calls_seconds_count\\{operation=\"insertSession\",outcome=\"success\"\\}"
                + " [1-9]")
        .doesNotContain(handle);
  }

  // --- /recipe/jwt must never mint a session token -------------------------------------------

  /**
   * The attack: a caller with the API key asks /recipe/jwt to sign a payload that looks like a
   * session of "admin" (a live handle, a refresh-token hash, the tenant). It must be refused; and
   * should a token ever come back, the session endpoints must not accept it.
   */
  @Test
  void createJwt_withSessionClaimsOfALiveSession_is400_andNoTokenPassesAsASession()
      throws Exception {
    JsonNode victim = t.createSession("alice", "{}", "{}");
    String handle = victim.get("session").get("handle").asText();
    String rth =
        claims(victim.get("accessToken").get("token").asText()).get("refreshTokenHash1").asText();
    var r =
        t.post(
            "/recipe/jwt",
            "{\"payload\":{\"sub\":\"admin\",\"sessionHandle\":"
                + quote(handle)
                + ",\"refreshTokenHash1\":"
                + quote(rth)
                + ",\"tId\":\"public\"},"
                + "\"validity\":3600,\"algorithm\":\"RS256\",\"jwksDomain\":\"http://api\"}");
    if (r.statusCode() == 200) {
      String forged = Json.MAPPER.readTree(r.body()).path("jwt").asText();
      assertThat(verify(forged, null, false).get("status").asText())
          .as("a /recipe/jwt token verified as a session")
          .isNotEqualTo("OK");
      assertThat(verify(forged, null, true).get("status").asText())
          .as("a /recipe/jwt token verified as a session with checkDatabase")
          .isNotEqualTo("OK");
    }
    assertThat(r.statusCode()).as("body: %s", r.body()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(r.body()).contains("sessionHandle");
  }

  @Test
  void createJwt_withAnySessionOnlyClaim_is400NamingIt() throws Exception {
    for (String claim :
        new String[] {
          "sessionHandle", "refreshTokenHash1", "parentRefreshTokenHash1", "antiCsrfToken"
        }) {
      var r =
          t.post(
              "/recipe/jwt",
              "{\"payload\":{\"sub\":\"svc\","
                  + quote(claim)
                  + ":\"x\"},\"validity\":60,\"algorithm\":\"RS256\"}");
      assertThat(r.statusCode()).as("%s: %s", claim, r.body()).isEqualTo(400);
      assertThat(r.body()).as(claim).contains("'" + claim + "'");
    }
    // The claims a service token legitimately carries are still signed.
    assertThat(
            ok200(
                    t.post(
                        "/recipe/jwt",
                        "{\"payload\":{\"sub\":\"svc\",\"tId\":\"public\","
                            + "\"rsub\":\"svc\",\"iss\":\"http://api\"},\"validity\":60,\"algorithm\":\"RS256\"}"))
                .get("status")
                .asText())
        .isEqualTo("OK");
  }

  // --- checkDatabase compares the stored user with the token's sub ---------------------------

  /**
   * A genuine token names a handle whose stored session belongs to someone else. Forging that needs
   * the signing key, so the store is made to answer as if the session row now belonged to another
   * user (a wrapper over the in-memory store rewrites {@code userId} in {@code findSession}); only
   * the database check can see it.
   */
  @Test
  void verify_withCheckDatabase_whenTheStoredUserIsNotTheTokensSub_isUnauthorised()
      throws Exception {
    AtomicReference<String> storedUser = new AtomicReference<>();
    try (TestServer own = new TestServer(store -> reportingUser(store, storedUser))) {
      JsonNode n = own.createSession("alice", "{}", "{}");
      String at = n.get("accessToken").get("token").asText();
      String csrf = n.get("antiCsrfToken").asText();
      assertThat(own.verify(at, csrf, true).get("status").asText()).isEqualTo("OK");

      storedUser.set("mallory");
      JsonNode r = own.verify(at, csrf, true);
      assertThat(r.get("status").asText()).isEqualTo("UNAUTHORISED");
      assertThat(r.has("session")).isFalse();
      // Without the database check the token alone is what it always was: genuine.
      assertThat(own.verify(at, csrf, false).get("status").asText()).isEqualTo("OK");
    }
  }

  /** {@code store}, except that sessions it finds belong to {@code user} when that is set. */
  private static SessionStore reportingUser(SessionStore store, AtomicReference<String> user) {
    return (SessionStore)
        Proxy.newProxyInstance(
            SessionStore.class.getClassLoader(),
            new Class<?>[] {SessionStore.class},
            (proxy, method, args) -> {
              Object result;
              try {
                result = method.invoke(store, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
              String u = user.get();
              if (u != null && method.getName().equals("findSession")) {
                return ((Optional<?>) result)
                    .map(
                        o -> {
                          SessionRecord r = (SessionRecord) o;
                          return new SessionRecord(
                              r.handle(),
                              r.tenantId(),
                              u,
                              r.sessionDataJson(),
                              r.jwtPayloadJson(),
                              r.createdAt(),
                              r.expiresAt(),
                              r.refreshKey(),
                              r.currentRefreshHash(),
                              r.parentRefreshHash(),
                              r.issuedAt(),
                              r.childIndex(),
                              r.confirmed());
                        });
              }
              return result;
            });
  }

  // --- payload size limits --------------------------------------------------------------------

  /** A payload of about {@code chars} JSON characters. */
  private static String payloadOf(int chars) {
    return "{\"blob\":\"" + "x".repeat(chars - 11) + "\"}";
  }

  private static void assertLimit(java.net.http.HttpResponse<String> r, String limit) {
    assertThat(r.statusCode()).as("body: %s", r.body()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
    assertThat(r.body()).contains("limit is " + limit);
  }

  @Test
  void createSession_withAPayloadOver2048JsonChars_is400NamingTheLimit() throws Exception {
    assertLimit(
        t.post(
            "/recipe/session",
            "{\"userId\":\"big\",\"userDataInJWT\":"
                + payloadOf(2_049)
                + ",\"userDataInDatabase\":{},\"enableAntiCsrf\":true}"),
        "2048");
    assertThat(ok200(t.get("/recipe/session/user?userId=big")).get("sessionHandles").size())
        .isZero();
    // At the limit it is accepted.
    assertThat(
            ok200(
                    t.post(
                        "/recipe/session",
                        "{\"userId\":\"big\",\"userDataInJWT\":"
                            + payloadOf(2_048)
                            + ",\"userDataInDatabase\":{},\"enableAntiCsrf\":true}"))
                .get("status")
                .asText())
        .isEqualTo("OK");
  }

  @Test
  void createSession_whoseAccessTokenWouldExceed4000Chars_is400NamingTheLimit() throws Exception {
    // Under the payload limit, but with a 512-character user id (in sub and rsub) too long.
    String userId = "u".repeat(512);
    assertLimit(
        t.post(
            "/recipe/session",
            "{\"userId\":"
                + quote(userId)
                + ",\"userDataInJWT\":"
                + payloadOf(2_000)
                + ",\"userDataInDatabase\":{},\"enableAntiCsrf\":true}"),
        "4000");
  }

  @Test
  void updateJwtData_withAPayloadOver2048JsonChars_is400_andTheStoredPayloadIsUnchanged()
      throws Exception {
    String handle =
        t.createSession("lena", "{\"k\":1}", "{}").get("session").get("handle").asText();
    assertLimit(
        t.put(
            "/recipe/jwt/data",
            "{\"sessionHandle\":" + quote(handle) + ",\"userDataInJWT\":" + payloadOf(2_049) + "}"),
        "2048");
    assertThat(
            ok200(t.get("/recipe/session?sessionHandle=" + handle)).get("userDataInJWT").toString())
        .isEqualTo("{\"k\":1}");
  }

  @Test
  void regenerate_withAPayloadOver2048JsonChars_is400_forLiveAndExpiredTokens() throws Exception {
    JsonNode n = t.createSession("mia", "{\"k\":1}", "{}");
    String at = n.get("accessToken").get("token").asText();
    String handle = n.get("session").get("handle").asText();
    String body = "{\"accessToken\":" + quote(at) + ",\"userDataInJWT\":" + payloadOf(2_049) + "}";
    assertLimit(t.post("/recipe/session/regenerate", body), "2048");
    t.clock.advance(Duration.ofHours(2)); // expired: the payload would only be stored
    assertLimit(t.post("/recipe/session/regenerate", body), "2048");
    assertThat(
            ok200(t.get("/recipe/session?sessionHandle=" + handle)).get("userDataInJWT").toString())
        .isEqualTo("{\"k\":1}");
  }
}
