package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input to the refresh and sign-out endpoints: always a typed answer with a JSON message, never
 * a 500, and the stored session it aims at survives.
 */
class EndpointBadInputTest {
  private static final String UNAUTHORISED = "{\"message\":\"unauthorised\"}";
  private static final String TRY_REFRESH = "{\"message\":\"try refresh token\"}";
  private TestApp app;
  private TestApp.Client victim;
  private String handle;

  @BeforeEach
  void start() throws Exception {
    app = TestApp.start(w -> w.allowInsecureCookies(), 64 * 1024, "/");
    victim = app.client();
    victim.send("POST", "/signin?user=alice");
    handle = app.engine.getAllSessionHandlesForUser("alice").get(0);
  }

  @AfterEach
  void stop() {
    app.close();
  }

  /** Tokens no client should send: malformed, truncated, tampered, swapped, of the wrong shape. */
  private List<String> hostileTokens() {
    String access = victim.cookie("sAccessToken");
    String refresh = victim.cookie("sRefreshToken");
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String[] parts = access.split("\\.");
    List<String> t = new ArrayList<>();
    t.add(" ");
    t.add("\"\"");
    t.add("null");
    t.add("undefined");
    t.add("a.b.c");
    t.add("...");
    t.add("%00");
    t.add("\u00e9\u00e8");
    t.add("====");
    t.add("a".repeat(10_000));
    t.add(refresh.substring(0, refresh.length() - 1));
    t.add(refresh + "A");
    t.add(flipLast(refresh));
    t.add(flipFirstAfterVersion(refresh));
    t.add(access);
    t.add(flipInMiddle(access));
    t.add(parts[0] + "." + parts[1]);
    t.add(parts[0] + "." + parts[1] + "." + parts[2] + "." + parts[2]);
    t.add(parts[0] + ".W10." + parts[2]); // payload "[]"
    t.add(
        b64.encodeToString("{\"alg\":\"RS256\",\"kid\":123}".getBytes())
            + "."
            + parts[1]
            + "."
            + parts[2]);
    t.add(parts[0] + "." + b64.encodeToString("{\"exp\":\"soon\"}".getBytes()) + "." + parts[2]);
    t.add(parts[0] + "." + parts[1] + "." + "!!!");
    return t;
  }

  /** The hostile tokens, less the victim's valid access token (which signs out, rightly). */
  private List<String> hostileAccessTokens() {
    List<String> t = hostileTokens();
    t.remove(victim.cookie("sAccessToken"));
    return t;
  }

  /**
   * A character of the signature, away from its end (a last character's unused low bits would give
   * the same bytes).
   */
  private static String flipInMiddle(String jwt) {
    int i = jwt.length() - 10;
    char c = jwt.charAt(i);
    return jwt.substring(0, i) + (c == 'A' ? 'B' : 'A') + jwt.substring(i + 1);
  }

  private static String flipLast(String token) {
    char last = token.charAt(token.length() - 1);
    return token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
  }

  private static String flipFirstAfterVersion(String token) {
    char c = token.charAt(2);
    return token.substring(0, 2) + (c == 'A' ? 'B' : 'A') + token.substring(3);
  }

  private void assertTypedAndHarmless(TestApp.Reply r, String what) {
    assertThat(r.status()).as(what).isEqualTo(401);
    assertThat(r.body()).as(what).isIn(UNAUTHORISED, TRY_REFRESH);
    assertThat(r.header("Content-Type")).as(what).startsWith("application/json");
    assertThat(app.engine.getAllSessionHandlesForUser("alice")).as(what).containsExactly(handle);
  }

  private void assertVictimStillRefreshes() throws Exception {
    assertThat(victim.send("POST", "/auth/session/refresh").body())
        .isEqualTo("{\"status\":\"OK\"}");
    assertThat(victim.send("GET", "/api/session").status()).isEqualTo(200);
    assertThat(app.engine.getAllSessionHandlesForUser("alice")).containsExactly(handle);
  }

  @Test
  void refresh_withHostileRefreshCookies_isTypedAndKeepsTheSession() throws Exception {
    for (String token : hostileTokens()) {
      TestApp.Reply r =
          app.client().send("POST", "/auth/session/refresh", "Cookie", "sRefreshToken=" + token);
      assertTypedAndHarmless(r, "refresh cookie " + describe(token));
      assertThat(r.body()).isEqualTo(UNAUTHORISED);
    }
    assertVictimStillRefreshes();
  }

  @Test
  void refresh_withHostileBearerTokens_isTypedAndKeepsTheSession() throws Exception {
    for (String token : hostileTokens()) {
      TestApp.Reply r =
          app.client()
              .send(
                  "POST",
                  "/auth/session/refresh",
                  "st-auth-mode",
                  "header",
                  "Authorization",
                  "Bearer " + token);
      assertTypedAndHarmless(r, "refresh bearer " + describe(token));
    }
    assertVictimStillRefreshes();
  }

  @Test
  void signOut_withHostileAccessCookies_isTypedAndKeepsTheSession() throws Exception {
    for (String token : hostileAccessTokens()) {
      TestApp.Reply r =
          app.client().send("POST", "/auth/signout", "Cookie", "sAccessToken=" + token);
      assertTypedAndHarmless(r, "sign-out cookie " + describe(token));
    }
    assertVictimStillRefreshes();
  }

  @Test
  void signOut_withHostileBearerTokens_isTypedAndKeepsTheSession() throws Exception {
    for (String token : hostileAccessTokens()) {
      TestApp.Reply r =
          app.client().send("POST", "/auth/signout", "Authorization", "Bearer " + token);
      assertTypedAndHarmless(r, "sign-out bearer " + describe(token));
    }
    assertVictimStillRefreshes();
  }

  @Test
  void refresh_withTheRefreshTokenInTheAccessCookie_isUnauthorised() throws Exception {
    TestApp.Reply r =
        app.client()
            .send(
                "POST",
                "/auth/session/refresh",
                "Cookie",
                "sAccessToken=" + victim.cookie("sRefreshToken"));

    assertTypedAndHarmless(r, "refresh token in the wrong cookie");
    assertVictimStillRefreshes();
  }

  @Test
  void signOut_withTheRefreshTokenAsAccessToken_isUnauthorised() throws Exception {
    TestApp.Reply r =
        app.client()
            .send(
                "POST",
                "/auth/signout",
                "Cookie",
                "sAccessToken=" + victim.cookie("sRefreshToken"));

    assertTypedAndHarmless(r, "refresh token as access token");
    assertVictimStillRefreshes();
  }

  @Test
  void signOut_withAnExpiredAccessToken_asksForARefreshAndKeepsTheSession() throws Exception {
    app.clock.advance(TestApp.ACCESS_VALIDITY.plusSeconds(1));

    TestApp.Reply r = victim.send("POST", "/auth/signout");

    assertTypedAndHarmless(r, "expired");
    assertThat(r.body()).isEqualTo(TRY_REFRESH);
    assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
    assertVictimStillRefreshes();
  }

  @Test
  void headerModeAsked_butOnlyCookiesSent_isUnauthorisedWithoutTouchingTheStore() throws Exception {
    int calls = app.store.calls();

    TestApp.Reply refresh = victim.send("POST", "/auth/session/refresh", "st-auth-mode", "header");
    TestApp.Reply signOut = victim.send("POST", "/auth/signout", "st-auth-mode", "header");

    assertThat(app.store.calls()).isEqualTo(calls);
    assertTypedAndHarmless(refresh, "refresh");
    assertTypedAndHarmless(signOut, "sign-out");
  }

  @Test
  void signOutTwice_isIdempotent_andRefreshAfterSignOut_isUnauthorised() throws Exception {
    String refresh = victim.cookie("sRefreshToken");
    String access = victim.cookie("sAccessToken");
    assertThat(victim.send("POST", "/auth/signout").status()).isEqualTo(200);

    // The access token verifies without the store until it expires (no blacklisting), so a
    // replayed sign-out succeeds again: revoking a revoked session is a no-op, not an error.
    TestApp.Reply again =
        app.client().send("POST", "/auth/signout", "Cookie", "sAccessToken=" + access);
    TestApp.Reply refreshAfter =
        app.client().send("POST", "/auth/session/refresh", "Cookie", "sRefreshToken=" + refresh);

    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("front-token")).isEqualTo("remove");
    assertThat(refreshAfter.status()).isEqualTo(401);
    assertThat(refreshAfter.body()).isEqualTo(UNAUTHORISED);
    assertThat(app.engine.getAllSessionHandlesForUser("alice")).isEmpty();
  }

  @Test
  void otherMethods_getA405WithAJsonMessage_andChangeNothing() throws Exception {
    for (String method : new String[] {"GET", "PUT", "DELETE", "PATCH"}) {
      for (String path : new String[] {"/auth/session/refresh", "/auth/signout"}) {
        TestApp.Reply r = victim.send(method, path);
        assertThat(r.status()).as("%s %s", method, path).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo("POST");
        assertThat(r.body()).isEqualTo("{\"message\":\"method not allowed: use POST\"}");
        assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
      }
    }
    assertVictimStillRefreshes();
  }

  @Test
  void garbageBodiesAndContentTypes_areIgnored() throws Exception {
    TestApp.Reply r =
        victim.send(
            "POST",
            "/auth/session/refresh",
            HttpRequest.BodyPublishers.ofString("{{{\u0000"),
            "Content-Type",
            "application/json; charset=nonsense");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"status\":\"OK\"}");
  }

  @Test
  void pathVariants_ofTheEndpoints_areNotServedAndNever500() throws Exception {
    for (String path :
        new String[] {
          // (Paths the container itself refuses, such as "..;" or %00, never reach Hallpass.)
          "/auth/session/refresh/",
          "/AUTH/session/refresh",
          "/auth/session/refresh;x=1",
          "/auth/signout.json",
          "/auth/session"
        }) {
      TestApp.Reply r;
      try {
        r = victim.send("POST", path);
      } catch (java.io.IOException e) {
        throw new AssertionError("no answer for " + path, e);
      }
      assertThat(r.status()).as(path).isBetween(400, 499);
    }
    assertVictimStillRefreshes();
  }

  private static String describe(String token) {
    return token.length() > 40 ? token.substring(0, 20) + "…(" + token.length() + ")" : token;
  }
}
