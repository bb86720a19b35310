package dev.hallpass.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Claims over real HTTP: the 403 answer exactly as supertokens-node sends it (which the frontend
 * SDKs read), re-fetching on demand (missing, stale, failing), max age, global and per-call
 * validators, and the new access token sent with the refreshed payload.
 */
class ClaimsTest {
  private final Map<String, Boolean> verified = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> roles = new ConcurrentHashMap<>();
  private final AtomicInteger emailFetches = new AtomicInteger();
  private final AtomicInteger roleFetches = new AtomicInteger();

  private final BooleanClaim emailVerified =
      BooleanClaim.emailVerified(
          user -> {
            emailFetches.incrementAndGet();
            return verified.get(user);
          });
  private final SetClaim roleClaim =
      SetClaim.roles(
          user -> {
            roleFetches.incrementAndGet();
            return roles.get(user);
          });

  private TestApp app;

  @AfterEach
  void stop() {
    if (app != null) {
      app.close();
    }
  }

  /** Global: email verified. Routes: a plain one, one with roles, one skipping claims. */
  private TestApp start(ClaimValidator... global) throws Exception {
    app =
        TestApp.start(
            b -> b.requireClaims(global),
            Map.of(
                "/api/claimed",
                (web, req, res) -> Map.of("userId", web.getSession(req, res, true).getUserId()),
                "/api/admin",
                (web, req, res) ->
                    Map.of(
                        "userId",
                        web.getSession(
                                req,
                                res,
                                true,
                                true,
                                List.of(
                                    roleClaim.includes("admin").withMaxAge(Duration.ofMinutes(5))))
                            .getUserId()),
                "/api/unverified-ok",
                (web, req, res) ->
                    Map.of("userId", web.getSession(req, res, true, true, List.of()).getUserId()),
                "/api/set-claim",
                (web, req, res) -> {
                  var s = web.getSession(req, res, true, true, List.of());
                  web.fetchAndSetClaim(s, emailVerified);
                  return Map.of("payload", s.getJWTPayload());
                }));
    return app;
  }

  private TestApp.Client signedIn(String user) throws Exception {
    TestApp.Client c = app.client();
    assertEquals(200, c.send("POST", "/signin?user=" + user).status());
    return c;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> claimInToken(String jwt, String key) throws Exception {
    return (Map<String, Object>) TestApp.jwtPayload(jwt).get(key);
  }

  @Test
  void getSession_withGlobalClaimFailing_answers403InTheSdkFormat() throws Exception {
    start(emailVerified.isTrue());
    verified.put("ann", false);
    TestApp.Client c = signedIn("ann");

    TestApp.Reply r = c.send("GET", "/api/claimed");

    assertEquals(403, r.status());
    assertEquals("application/json;charset=utf-8", r.header("Content-Type").toLowerCase());
    assertEquals(
        "{\"message\":\"invalid claim\",\"claimValidationErrors\":[{\"id\":\"st-ev\",\"reason\":"
            + "{\"message\":\"wrong value\",\"expectedValue\":true,\"actualValue\":false}}]}",
        r.body());
  }

  @Test
  void getSession_withClaimMissing_fetchesAndSendsTheNewAccessTokenWithThePayload()
      throws Exception {
    start(emailVerified.isTrue());
    verified.put("ann", true);
    TestApp.Client c = signedIn("ann");
    String before = c.cookie("sAccessToken");

    TestApp.Reply r = c.send("GET", "/api/claimed");

    assertEquals(200, r.status(), r.body());
    assertEquals(1, emailFetches.get());
    String after = r.cookieValue("sAccessToken");
    assertFalse(after.equals(before), "a new access token is sent");
    Map<String, Object> claim = claimInToken(after, "st-ev");
    assertEquals(true, claim.get("v"));
    assertEquals(app.clock.millis(), ((Number) claim.get("t")).longValue());
    @SuppressWarnings("unchecked")
    Map<String, Object> up = (Map<String, Object>) r.frontToken().get("up");
    assertEquals(claim, up.get("st-ev"), "the front-token shows the SDK the same payload");
    // The stored payload keeps the claim: the next request neither fetches nor re-issues.
    TestApp.Reply again = c.send("GET", "/api/claimed");
    assertEquals(200, again.status());
    assertEquals(1, emailFetches.get());
    assertTrue(again.setCookies("sAccessToken").isEmpty());
  }

  @Test
  void getSession_afterTheClaimIsGranted_refetchesAndLetsTheNextRequestThrough() throws Exception {
    start(emailVerified.isTrue());
    verified.put("ann", false);
    TestApp.Client c = signedIn("ann");
    TestApp.Reply refused = c.send("GET", "/api/claimed");
    assertEquals(403, refused.status());
    // The 403 also carries the payload as fetched, so the SDK's claim view is current.
    assertEquals(false, claimInToken(refused.cookieValue("sAccessToken"), "st-ev").get("v"));

    verified.put("ann", true);
    TestApp.Reply r = c.send("GET", "/api/claimed");

    assertEquals(200, r.status(), r.body());
    assertEquals(true, claimInToken(r.cookieValue("sAccessToken"), "st-ev").get("v"));
  }

  @Test
  void getSession_withClaimFailingAfterRefetch_fetchesOncePerRequest() throws Exception {
    start(emailVerified.isTrue());
    verified.put("ann", false);
    TestApp.Client c = signedIn("ann");
    assertEquals(403, c.send("GET", "/api/claimed").status());
    int afterFirst = emailFetches.get();

    assertEquals(403, c.send("GET", "/api/claimed").status());

    assertEquals(1, afterFirst, "missing, then failing: one fetch for the one claim");
    assertEquals(2, emailFetches.get());
  }

  @Test
  void getSession_withFetcherGivingNoValue_answersValueDoesNotExist() throws Exception {
    start(emailVerified.isTrue());
    TestApp.Client c = signedIn("nobody");

    TestApp.Reply r = c.send("GET", "/api/claimed");

    assertEquals(403, r.status());
    assertEquals(
        "{\"message\":\"invalid claim\",\"claimValidationErrors\":[{\"id\":\"st-ev\",\"reason\":"
            + "{\"message\":\"value does not exist\",\"expectedValue\":true}}]}",
        r.body());
    assertTrue(r.setCookies("sAccessToken").isEmpty(), "nothing fetched, nothing re-issued");
  }

  @Test
  void getSession_withValueOlderThanMaxAge_refetches() throws Exception {
    start(emailVerified.isTrue().withMaxAge(Duration.ofMinutes(5)));
    verified.put("ann", true);
    TestApp.Client c = signedIn("ann");
    assertEquals(200, c.send("GET", "/api/claimed").status());
    app.clock.advance(Duration.ofMinutes(4));
    assertEquals(200, c.send("GET", "/api/claimed").status());
    assertEquals(1, emailFetches.get(), "four minutes old: still fresh");

    app.clock.advance(Duration.ofMinutes(2));
    TestApp.Reply r = c.send("GET", "/api/claimed");

    assertEquals(200, r.status(), r.body());
    assertEquals(2, emailFetches.get());
    assertEquals(
        app.clock.millis(),
        ((Number) claimInToken(r.cookieValue("sAccessToken"), "st-ev").get("t")).longValue());
  }

  @Test
  void getSession_withStaleValueAndNoFreshOne_answersExpired() throws Exception {
    start(emailVerified.isTrue().withMaxAge(Duration.ofSeconds(300)));
    verified.put("ann", true);
    TestApp.Client c = signedIn("ann");
    assertEquals(200, c.send("GET", "/api/claimed").status());
    verified.remove("ann"); // the user store no longer knows
    app.clock.advance(Duration.ofSeconds(301));

    TestApp.Reply r = c.send("GET", "/api/claimed");

    assertEquals(403, r.status());
    assertEquals(
        "{\"message\":\"invalid claim\",\"claimValidationErrors\":[{\"id\":\"st-ev\",\"reason\":"
            + "{\"message\":\"expired\",\"ageInSeconds\":301.0,\"maxAgeInSeconds\":300.0}}]}",
        r.body());
  }

  @Test
  void getSession_withPerCallRoleValidator_answersTheSetClaimFormatAndRecovers() throws Exception {
    start(); // no global validators
    roles.put("ann", Set.of("reader"));
    TestApp.Client c = signedIn("ann");

    TestApp.Reply r = c.send("GET", "/api/admin");

    assertEquals(403, r.status());
    assertEquals(
        "{\"message\":\"invalid claim\",\"claimValidationErrors\":[{\"id\":\"st-role\",\"reason\":"
            + "{\"message\":\"wrong value\",\"expectedToInclude\":\"admin\","
            + "\"actualValue\":[\"reader\"]}}]}",
        r.body());
    assertEquals(200, c.send("GET", "/api/claimed").status(), "other routes need nothing");

    roles.put("ann", Set.of("admin", "reader"));
    TestApp.Reply granted = c.send("GET", "/api/admin");
    assertEquals(200, granted.status(), granted.body());
    assertEquals(
        List.of("admin", "reader"),
        claimInToken(granted.cookieValue("sAccessToken"), "st-role").get("v"));
  }

  @Test
  void getSession_withOwnEmptyValidatorList_skipsTheGlobalOnes() throws Exception {
    start(emailVerified.isTrue());
    verified.put("ann", false);
    TestApp.Client c = signedIn("ann");

    assertEquals(200, c.send("GET", "/api/unverified-ok").status());
    assertEquals(0, emailFetches.get());
  }

  @Test
  void signOut_withGlobalClaimFailing_stillSignsOut() throws Exception {
    start(emailVerified.isTrue());
    verified.put("ann", false);
    TestApp.Client c = signedIn("ann");

    TestApp.Reply r = c.send("POST", "/auth/signout", "rid", "session");

    assertEquals(200, r.status(), r.body());
    assertEquals(null, c.cookie("sAccessToken"));
  }

  @Test
  void fetchAndSetClaim_storesTheValueForLaterRequests() throws Exception {
    start(emailVerified.isTrue());
    verified.put("ann", true);
    TestApp.Client c = signedIn("ann");

    TestApp.Reply set = c.send("POST", "/api/set-claim", "rid", "session");
    assertEquals(200, set.status(), set.body());
    assertEquals(200, c.send("GET", "/api/claimed").status());

    assertEquals(1, emailFetches.get(), "the claimed route found the stored value");
  }

  @Test
  void getSession_inHeaderMode_sendsTheRefreshedTokenInTheHeaderWithThe403() throws Exception {
    start(emailVerified.isTrue());
    verified.put("ann", false);
    TestApp.Client c = app.client();
    TestApp.Reply in = c.send("POST", "/signin?user=ann", "st-auth-mode", "header");
    String token = in.header("st-access-token");
    assertNotNull(token);

    TestApp.Reply r =
        c.send("GET", "/api/claimed", "st-auth-mode", "header", "Authorization", "Bearer " + token);

    assertEquals(403, r.status());
    assertEquals(false, claimInToken(r.header("st-access-token"), "st-ev").get("v"));
    assertNotNull(r.header("front-token"));
  }

  @Test
  void claims_rejectBadSettingsNamingThem() {
    IllegalArgumentException reserved =
        assertThrows(IllegalArgumentException.class, () -> BooleanClaim.of("sub", u -> true));
    assertTrue(reserved.getMessage().contains("claim key"), reserved.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SetClaim.of("has space", u -> Set.of()));
    IllegalArgumentException age =
        assertThrows(
            IllegalArgumentException.class, () -> emailVerified.isTrue().withMaxAge(Duration.ZERO));
    assertTrue(age.getMessage().startsWith("maxAge"), age.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> roleClaim.withDefaultMaxAge(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> emailVerified.isTrue().withId(" "));
  }

  @Test
  void claimValidator_withDefaultMaxAge_inheritsIt() {
    BooleanClaim aged = emailVerified.withDefaultMaxAge(Duration.ofMinutes(1));
    assertEquals(Duration.ofMinutes(1), aged.isTrue().maxAge().orElseThrow());
    assertTrue(emailVerified.isTrue().maxAge().isEmpty());
    assertEquals("st-ev", aged.isTrue().id());
    assertEquals("admin-check", roleClaim.includes("admin").withId("admin-check").id());
  }
}
