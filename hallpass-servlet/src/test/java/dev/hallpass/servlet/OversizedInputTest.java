package dev.hallpass.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Oversized cookies, headers and bodies: refused with a 4xx, and the session they aim at is not
 * harmed (not revoked, not rotated: Hallpass makes no store call for them).
 */
class OversizedInputTest {
  private static final String UNAUTHORISED = "{\"message\":\"unauthorised\"}";
  private TestApp app;
  private TestApp.Client victim;

  @BeforeEach
  void start() throws Exception {
    // Headers up to 64 KiB reach Hallpass, so that its own limits are what is tested.
    app = TestApp.start(w -> w.allowInsecureCookies(), 64 * 1024, "/");
    victim = app.client();
    victim.send("POST", "/signin?user=alice");
  }

  @AfterEach
  void stop() {
    app.close();
  }

  /** The victim's session is intact: stored, and its tokens still verify and refresh. */
  private void assertSessionUnharmed() throws Exception {
    assertThat(app.engine.getAllSessionHandlesForUser("alice")).hasSize(1);
    assertThat(victim.send("GET", "/api/session").status()).isEqualTo(200);
    assertThat(victim.send("POST", "/auth/session/refresh").body())
        .isEqualTo("{\"status\":\"OK\"}");
    assertThat(victim.send("GET", "/api/session").status()).isEqualTo(200);
  }

  @Test
  void oversizedAccessCookie_besideAValidOne_isUnauthorisedWithoutAStoreCall() throws Exception {
    int calls = app.store.calls();

    TestApp.Reply r =
        app.client()
            .send(
                "GET",
                "/api/session",
                "Cookie",
                "sAccessToken=" + "a".repeat(20_000) + "; other=" + victim.cookie("sAccessToken"));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(UNAUTHORISED);
    assertThat(app.store.calls()).isEqualTo(calls);
    assertSessionUnharmed();
  }

  @Test
  void oversizedRefreshCookie_isUnauthorisedWithoutAStoreCall() throws Exception {
    int calls = app.store.calls();

    TestApp.Reply r =
        app.client()
            .send(
                "POST",
                "/auth/session/refresh",
                "Cookie",
                "sRefreshToken=" + victim.cookie("sRefreshToken") + "x".repeat(20_000));

    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo(UNAUTHORISED);
    assertThat(app.store.calls()).isEqualTo(calls);
    assertSessionUnharmed();
  }

  @Test
  void manyCookies_inOneHeader_areParsedWithoutHarm() throws Exception {
    StringBuilder jar = new StringBuilder();
    for (int i = 0; i < 2_000; i++) {
      jar.append("c").append(i).append("=v; ");
    }
    jar.append("sAccessToken=").append(victim.cookie("sAccessToken"));

    TestApp.Reply r = app.client().send("GET", "/api/session", "Cookie", jar.toString());

    assertThat(r.status()).as("the one token among 2,000 cookies is still found").isEqualTo(200);
    assertSessionUnharmed();
  }

  @Test
  void oversizedAntiCsrfHeader_isATypedErrorNotA500() throws Exception {
    try (TestApp csrf = TestApp.start(e -> e.antiCsrf(true), w -> w)) {
      TestApp.Client c = csrf.client();
      String token = c.send("POST", "/signin?user=alice").header("anti-csrf");

      TestApp.Reply r = c.send("POST", "/api/session", "anti-csrf", token + "a".repeat(6_000));

      assertThat(r.status()).isEqualTo(401);
      assertThat(r.body()).isEqualTo("{\"message\":\"try refresh token\"}");
      assertThat(c.send("POST", "/api/session", "anti-csrf", token).status()).isEqualTo(200);
    }
  }

  @Test
  void headersBeyondTheContainerLimit_are431_andTheSessionIsUnharmed() throws Exception {
    int calls = app.store.calls();

    TestApp.Reply r =
        victim.send("POST", "/auth/session/refresh", "X-Padding", "p".repeat(70 * 1024));

    assertThat(r.status()).isEqualTo(431);
    assertThat(app.store.calls()).isEqualTo(calls);
    assertSessionUnharmed();
  }

  @Test
  void oversizedBody_onRefresh_is413BeforeAnyTokenIsUsed() throws Exception {
    int calls = app.store.calls();

    TestApp.Reply r =
        victim.send(
            "POST", "/auth/session/refresh", HttpRequest.BodyPublishers.ofString("x".repeat(1025)));

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).isEqualTo("{\"message\":\"request body too large: at most 1024 bytes\"}");
    assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(r.header("front-token")).isNull();
    assertThat(app.store.calls()).as("nothing refreshed").isEqualTo(calls);
    assertSessionUnharmed();
  }

  @Test
  void oversizedChunkedBody_onSignOut_is413AndTheSessionIsNotRevoked() throws Exception {
    byte[] body = new byte[256 * 1024];
    // No declared length: the filter reads at most 1,025 bytes to decide.
    HttpRequest.BodyPublisher chunked =
        HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));

    TestApp.Reply r = victim.send("POST", "/auth/signout", chunked);

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.raw.headers().allValues("Set-Cookie")).isEmpty();
    assertSessionUnharmed();
  }

  @Test
  void smallBodies_asTheSdksSendThem_areAccepted() throws Exception {
    assertThat(
            victim
                .send(
                    "POST",
                    "/auth/session/refresh",
                    HttpRequest.BodyPublishers.ofString("{}"),
                    "Content-Type",
                    "application/json")
                .status())
        .isEqualTo(200);
    assertThat(
            victim
                .send(
                    "POST",
                    "/auth/signout",
                    HttpRequest.BodyPublishers.ofString("x".repeat(1024)),
                    "Content-Type",
                    "application/json")
                .status())
        .isEqualTo(200);
  }
}
