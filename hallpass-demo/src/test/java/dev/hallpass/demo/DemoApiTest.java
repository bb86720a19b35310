package dev.hallpass.demo;

import static java.net.http.HttpResponse.BodyHandlers.ofString;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hallpass.Hallpass;
import dev.hallpass.SessionStores;
import dev.hallpass.servlet.AntiCsrfMode;
import dev.hallpass.testkit.MutableClock;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo's page and JSON API over real HTTP, without a browser. */
class DemoApiTest {
  private static Hallpass engine;
  private static DemoServer server;
  private static URI base;

  @BeforeAll
  static void start() throws Exception {
    engine =
        Hallpass.builder()
            .store(SessionStores.inMemory())
            .recordClientMetadata(true)
            .disableBackgroundCleanup()
            .build();
    server = new DemoServer(engine, 0, AntiCsrfMode.NONE);
    base = URI.create("http://127.0.0.1:" + server.uri().getPort() + "/");
  }

  @AfterAll
  static void stop() {
    server.close();
    engine.close();
  }

  /** A client with its own cookie jar, like one browser. */
  private static HttpClient browser() {
    return HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
  }

  private static HttpResponse<String> send(
      HttpClient client, String method, String path, String json) throws Exception {
    return send(base, client, method, path, json);
  }

  private static HttpResponse<String> send(
      URI base, HttpClient client, String method, String path, String json) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .method(
                method,
                json == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void accessTokenInAnotherCase_rightAfterTheRealOneOnOneConnection_is401() throws Exception {
    HttpClient c = HttpClient.newHttpClient(); // no cookie jar: the Cookie header is ours
    HttpResponse<String> in = send(c, "POST", "api/signin", "{\"userName\":\"casey\"}");
    String token =
        in.headers().allValues("set-cookie").stream()
            .filter(h -> h.startsWith("sAccessToken="))
            .map(h -> h.substring("sAccessToken=".length(), h.indexOf(';')))
            .findFirst()
            .orElseThrow();
    int letter = 0;
    while (!Character.isLetter(token.charAt(letter))) {
      letter++;
    }
    char ch = token.charAt(letter);
    String variant =
        token.substring(0, letter)
            + (Character.isUpperCase(ch) ? Character.toLowerCase(ch) : Character.toUpperCase(ch))
            + token.substring(letter + 1);
    for (int i = 0; i < 5; i++) {
      HttpRequest.Builder real = HttpRequest.newBuilder(base.resolve("api/me"));
      assertThat(c.send(real.header("Cookie", "sAccessToken=" + token).build(), ofString()))
          .extracting(HttpResponse::statusCode)
          .isEqualTo(200);
      HttpRequest.Builder forged = HttpRequest.newBuilder(base.resolve("api/me"));
      HttpResponse<String> r =
          c.send(forged.header("Cookie", "sAccessToken=" + variant).build(), ofString());
      assertThat(r.statusCode()).as("round %d", i).isEqualTo(401);
    }
  }

  @Test
  void page_andTheBundledSdk_areServedFromTheJar() throws Exception {
    HttpClient c = browser();
    HttpResponse<String> page = send(c, "GET", "", null);
    HttpResponse<String> sdk = send(c, "GET", "js/supertokens-website.js", null);

    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script src=\"js/supertokens-website.js\">");
    assertThat(sdk.statusCode()).isEqualTo(200);
    assertThat(sdk.body()).contains("var supertokens=").contains("front-token");
    assertThat(send(c, "GET", "js/", null).statusCode())
        .as("no directory listings")
        .isNotEqualTo(200);
  }

  @Test
  void members_needEmailVerified_andPassAfterVerifyEmail() throws Exception {
    HttpClient c = browser();
    send(c, "POST", "api/signin", "{\"userName\":\"gina\"}");

    HttpResponse<String> refused = send(c, "GET", "api/members", null);
    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(refused.body())
        .isEqualTo(
            "{\"message\":\"invalid claim\",\"claimValidationErrors\":[{\"id\":\"st-ev\","
                + "\"reason\":{\"message\":\"wrong value\",\"expectedValue\":true,"
                + "\"actualValue\":false}}]}");
    assertThat(send(c, "GET", "api/me", null).statusCode())
        .as("other APIs need no claim")
        .isEqualTo(200);

    HttpResponse<String> verify = send(c, "POST", "api/verify-email", null);
    assertThat(verify.statusCode()).as("reachable unverified").isEqualTo(200);
    HttpResponse<String> members = send(c, "GET", "api/members", null);
    assertThat(members.statusCode()).isEqualTo(200);
    assertThat(members.body()).contains("\"userId\":\"gina\"");
    assertThat(members.headers().firstValue("front-token")).as("new payload sent").isPresent();
  }

  @Test
  void signIn_needsAUserNameOfOneTo64Characters() throws Exception {
    HttpClient c = browser();
    for (String body :
        new String[] {
          "{}",
          "{\"userName\":\"  \"}",
          "{\"userName\":7}",
          "nonsense",
          "{\"userName\":\"" + "x".repeat(65) + "\"}"
        }) {
      HttpResponse<String> r = send(c, "POST", "api/signin", body);
      assertThat(r.statusCode()).as(body).isEqualTo(400);
      assertThat(r.body()).as(body).contains("userName");
    }
  }

  @Test
  void signIn_withAUserNameTheEngineRefuses_isA400NotA500() throws Exception {
    HttpResponse<String> r = send(browser(), "POST", "api/signin", "{\"userName\":\"a\\u0000b\"}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("\"message\":\"userId must not contain NUL characters\"");
  }

  @Test
  void jwtPayload_update_sendsANewAccessTokenCarryingTheClaims() throws Exception {
    HttpClient c = browser();
    send(c, "POST", "api/signin", "{\"userName\":\"erin\"}");

    HttpResponse<String> r = send(c, "PUT", "api/jwt-payload", "{\"theme\":\"dark\"}");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"theme\":\"dark\"}");
    assertThat(r.headers().firstValue("front-token")).isPresent();
    assertThat(r.headers().allValues("Set-Cookie")).anyMatch(v -> v.startsWith("sAccessToken="));
    assertThat(send(c, "GET", "api/me", null).body())
        .contains("\"jwtPayload\":{\"theme\":\"dark\"}");
  }

  @Test
  void jwtPayload_overTheJsonLimit_isA400NamingTheLimit_andChangesNothing() throws Exception {
    HttpClient c = browser();
    send(c, "POST", "api/signin", "{\"userName\":\"frank\"}");

    HttpResponse<String> r =
        send(c, "PUT", "api/jwt-payload", "{\"note\":\"" + "x".repeat(2_100) + "\"}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(r.body()).startsWith("{\"message\":\"jwtPayload is ").contains("the limit is 2048");
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
    HttpResponse<String> me = send(c, "GET", "api/me", null);
    assertThat(me.statusCode()).isEqualTo(200);
    assertThat(me.body()).contains("\"jwtPayload\":{\"role\":\"visitor\"}");
  }

  @Test
  void jwtPayload_makingTheAccessTokenTooLong_isA400NamingTheTokenLimit() throws Exception {
    HttpClient c = browser();
    // A 64-character non-ASCII user name is written escaped (6 characters each) in sub and rsub:
    // with it, a payload under 2,048 JSON characters makes a token over 4,000 characters.
    String user = "\u20ac".repeat(64);
    assertThat(send(c, "POST", "api/signin", "{\"userName\":\"" + user + "\"}").statusCode())
        .isEqualTo(200);

    HttpResponse<String> r =
        send(c, "PUT", "api/jwt-payload", "{\"note\":\"" + "x".repeat(2_000) + "\"}");

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("jwtPayload").contains("the limit is 4000");
    assertThat(send(c, "GET", "api/me", null).body())
        .contains("\"jwtPayload\":{\"role\":\"visitor\"}");
  }

  @Test
  void jwtPayload_withAReservedClaimOrNotAnObject_isA400() throws Exception {
    HttpClient c = browser();
    send(c, "POST", "api/signin", "{\"userName\":\"grace\"}");

    HttpResponse<String> reserved = send(c, "PUT", "api/jwt-payload", "{\"sub\":\"admin\"}");
    HttpResponse<String> array = send(c, "PUT", "api/jwt-payload", "[1]");

    assertThat(reserved.statusCode()).isEqualTo(400);
    assertThat(reserved.body()).contains("reserved claim name 'sub'");
    assertThat(array.statusCode()).isEqualTo(400);
    assertThat(send(c, "GET", "api/me", null).body())
        .contains("\"userId\":\"grace\"")
        .contains("\"jwtPayload\":{\"role\":\"visitor\"}");
  }

  @Test
  void protectedApis_refuseWithoutASession() throws Exception {
    for (String path : new String[] {"api/me", "api/session-data", "api/sessions"}) {
      HttpResponse<String> r = send(browser(), "GET", path, null);
      assertThat(r.statusCode()).as(path).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"message\":\"unauthorised\"}");
    }
  }

  @Test
  void signedIn_seesItselfItsDataAndItsSessions() throws Exception {
    HttpClient c = browser();
    assertThat(send(c, "POST", "api/signin", "{\"userName\":\"carol\"}").statusCode())
        .isEqualTo(200);

    assertThat(send(c, "GET", "api/me", null).body())
        .contains("\"userId\":\"carol\"")
        .contains("\"role\":\"visitor\"");
    assertThat(send(c, "PUT", "api/session-data", "{\"theme\":\"dark\"}").body())
        .isEqualTo("{\"theme\":\"dark\"}");
    assertThat(send(c, "PUT", "api/session-data", "[1,2]").statusCode()).isEqualTo(400);
    assertThat(send(c, "GET", "api/session-data", null).body()).isEqualTo("{\"theme\":\"dark\"}");
    assertThat(send(c, "GET", "api/sessions", null).body())
        .matches(
            "\\[\\{\"handle\":\"[0-9a-f-]{36}\",\"createdAt\":\"[^\"]+\","
                + "\"lastActiveAt\":\"[^\"]+\",\"expiresAt\":\"[^\"]+\","
                + "\"ip\":\"127.0.0.1\",\"userAgent\":\"Java-http-client/[^\"]+\",\"current\":true}]");
    assertThat(send(c, "GET", "api/nothing-here", null).statusCode()).isEqualTo(404);
  }

  @Test
  void signOutThisDevice_revokesOnlyOneOfTheCallersOwnSessions() throws Exception {
    HttpClient laptop = browser();
    HttpClient phone = browser();
    HttpClient mallory = browser();
    send(laptop, "POST", "api/signin", "{\"userName\":\"dev-owner\"}");
    send(phone, "POST", "api/signin", "{\"userName\":\"dev-owner\"}");
    send(mallory, "POST", "api/signin", "{\"userName\":\"mallory\"}");
    String phoneHandle = handle(base, phone);
    String body = "{\"handle\":\"" + phoneHandle + "\"}";

    assertThat(send(mallory, "POST", "api/sessions/revoke", body).statusCode()).isEqualTo(404);
    assertThat(engine.getAllSessionHandlesForUser("dev-owner")).contains(phoneHandle);
    assertThat(send(laptop, "POST", "api/sessions/revoke", body).statusCode()).isEqualTo(200);

    assertThat(engine.getAllSessionHandlesForUser("dev-owner"))
        .hasSize(1)
        .doesNotContain(phoneHandle);
    assertThat(send(laptop, "GET", "api/me", null).statusCode()).isEqualTo(200);
  }

  @Test
  void signOutEverywhere_revokesEveryOneOfTheUsersSessions() throws Exception {
    HttpClient laptop = browser();
    HttpClient phone = browser();
    send(laptop, "POST", "api/signin", "{\"userName\":\"dave\"}");
    send(phone, "POST", "api/signin", "{\"userName\":\"dave\"}");

    HttpResponse<String> r = send(laptop, "POST", "api/signout-everywhere", null);

    assertThat(r.body()).isEqualTo("{\"revoked\":2}");
    assertThat(r.headers().firstValue("front-token")).contains("remove");
    assertThat(engine.getAllSessionHandlesForUser("dave")).isEmpty();
    assertThat(send(laptop, "GET", "api/me", null).statusCode()).isEqualTo(401);
  }

  /** The session handle of the client's session, from GET /api/me. */
  private static String handle(URI base, HttpClient c) throws Exception {
    return new ObjectMapper()
        .readTree(send(base, c, "GET", "api/me", null).body())
        .get("sessionHandle")
        .asText();
  }

  private static String ending(URI base, String handle) throws Exception {
    return send(base, browser(), "GET", "api/session-ending?handle=" + handle, null).body();
  }

  @Test
  void sessionEnding_afterSignOutEverywhere_isSignedOutElsewhere_forTheOtherSessionsOnly()
      throws Exception {
    HttpClient laptop = browser();
    HttpClient phone = browser();
    send(laptop, "POST", "api/signin", "{\"userName\":\"erin\"}");
    send(phone, "POST", "api/signin", "{\"userName\":\"erin\"}");
    String laptopHandle = handle(base, laptop);
    String phoneHandle = handle(base, phone);

    assertThat(ending(base, phoneHandle)).as("still live").isEqualTo("{\"reason\":\"unknown\"}");
    send(laptop, "POST", "api/signout-everywhere", null);

    assertThat(ending(base, phoneHandle)).isEqualTo("{\"reason\":\"signed-out-elsewhere\"}");
    assertThat(ending(base, laptopHandle))
        .as("signed out where it was asked")
        .isEqualTo("{\"reason\":\"unknown\"}");
  }

  @Test
  void sessionEnding_needsAHandle_andKnowsNothingOfAHandleItNeverSaw() throws Exception {
    HttpClient c = browser();
    assertThat(send(c, "GET", "api/session-ending", null).statusCode()).isEqualTo(400);
    assertThat(send(c, "GET", "api/session-ending?handle=", null).statusCode()).isEqualTo(400);
    assertThat(send(c, "GET", "api/session-ending?handle=" + "a".repeat(129), null).statusCode())
        .isEqualTo(400);
    assertThat(ending(base, "00000000-0000-0000-0000-000000000000"))
        .isEqualTo("{\"reason\":\"unknown\"}");
  }

  @Test
  void sessionEnding_tellsAnExpiredSessionFromOneEndedByATheftVerdict() throws Exception {
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    try (Hallpass timed =
            Hallpass.builder()
                .store(SessionStores.inMemory(clock))
                .clock(clock)
                .accessTokenValidity(Duration.ofMinutes(5))
                .refreshTokenValidity(Duration.ofHours(1))
                .disableBackgroundCleanup()
                .build();
        DemoServer app = new DemoServer(timed, 0, AntiCsrfMode.NONE, clock)) {
      URI at = URI.create("http://127.0.0.1:" + app.uri().getPort() + "/");

      // Theft: the client refreshes and uses its new tokens; after the grace period a copy of the
      // replaced refresh token comes back.
      CookieManager jar = new CookieManager();
      HttpClient victim = HttpClient.newBuilder().cookieHandler(jar).build();
      send(at, victim, "POST", "api/signin", "{\"userName\":\"frank\"}");
      String stolenHandle = handle(at, victim);
      HttpCookie stolen =
          jar.getCookieStore().getCookies().stream()
              .filter(k -> k.getName().equals("sRefreshToken"))
              .findFirst()
              .orElseThrow();
      assertThat(send(at, victim, "POST", "auth/session/refresh", null).statusCode())
          .isEqualTo(200);
      assertThat(send(at, victim, "GET", "api/me", null).statusCode()).isEqualTo(200);
      clock.advance(Duration.ofSeconds(31));
      HttpResponse<String> replay =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(at.resolve("auth/session/refresh"))
                      .POST(HttpRequest.BodyPublishers.noBody())
                      .header("Cookie", "sRefreshToken=" + stolen.getValue())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(replay.body()).isEqualTo("{\"message\":\"token theft detected\"}");
      assertThat(ending(at, stolenHandle)).isEqualTo("{\"reason\":\"token-theft\"}");

      // Expiry: not refreshed for longer than the session's lifetime.
      HttpClient idle = browser();
      send(at, idle, "POST", "api/signin", "{\"userName\":\"grace\"}");
      String idleHandle = handle(at, idle);
      clock.advance(Duration.ofHours(1).minusSeconds(1));
      assertThat(ending(at, idleHandle))
          .as("one second left")
          .isEqualTo("{\"reason\":\"unknown\"}");
      clock.advance(Duration.ofSeconds(1));
      assertThat(send(at, idle, "POST", "auth/session/refresh", null).body())
          .isEqualTo("{\"message\":\"unauthorised\"}");
      assertThat(ending(at, idleHandle)).isEqualTo("{\"reason\":\"expired\"}");
      assertThat(ending(at, stolenHandle))
          .as("still theft")
          .isEqualTo("{\"reason\":\"token-theft\"}");
    }
  }
}
